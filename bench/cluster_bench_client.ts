/**
 * Load generator for `cluster_bench.ts`, in its own process. A lean
 * raw-WebSocket JSON client: the callee (or subscriber) joins one node, the
 * caller (or publisher) another (or the same). Prints one JSON line:
 * `{ "count": n, "seconds": s, "p50": ms, "p99": ms }` (latencies for RPC).
 *
 * Usage: deno run -A bench/cluster_bench_client.ts '<json scenario>'
 */

/** One scenario, as passed on the command line. */
interface Scenario {
  kind: "rpc" | "events";
  /** Where the callee/subscriber joins. */
  serveUrl: string;
  /** Where the caller/publisher joins. */
  useUrl: string;
  seconds: number;
  inFlight: number;
}

const HELLO = [1, "realm1", {
  roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} },
}];

async function join(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, "wamp.2.json");
  await new Promise<void>((resolve, reject) => {
    ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg[0] === 2) resolve();
      else reject(new Error(`no WELCOME: ${e.data}`));
    };
    ws.onopen = () => ws.send(JSON.stringify(HELLO));
  });
  return ws;
}

function reply(ws: WebSocket, msg: unknown[]): Promise<unknown[]> {
  return new Promise((resolve) => {
    ws.onmessage = (e) => resolve(JSON.parse(e.data));
    ws.send(JSON.stringify(msg));
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function rpc(s: Scenario) {
  const callee = await join(s.serveUrl);
  await reply(callee, [64, 1, {}, "bench.echo"]);
  callee.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    callee.send(JSON.stringify([70, msg[1], {}, msg[4]]));
  };
  const caller = await join(s.useUrl);
  // The registration reaches the caller's node through the cluster.
  for (let i = 1;; i++) {
    const answer = await reply(caller, [48, i, {}, "bench.echo", [0]]);
    if (answer[0] === 50) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let next = 1000;
  let count = 0;
  let stopping = false;
  let outstanding = 0;
  const start = performance.now();
  const done = Promise.withResolvers<void>();
  const send = () => {
    const id = next++;
    sentAt.set(id, performance.now());
    caller.send(`[48,${id},{},"bench.echo",[${id}]]`);
    outstanding++;
  };
  caller.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    const t = sentAt.get(msg[1]);
    if (t !== undefined) {
      latencies.push(performance.now() - t);
      sentAt.delete(msg[1]);
    }
    count++;
    outstanding--;
    if (!stopping) send();
    else if (outstanding === 0) done.resolve();
  };
  setTimeout(() => stopping = true, s.seconds * 1000);
  for (let i = 0; i < s.inFlight; i++) send();
  await done.promise;
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  caller.close();
  callee.close();
  return {
    count,
    seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

async function events(s: Scenario) {
  const subscriber = await join(s.serveUrl);
  await reply(subscriber, [32, 1, {}, "bench.topic"]);
  let received = 0;
  subscriber.onmessage = () => received++;
  const publisher = await join(s.useUrl);
  // Wait until the subscription is known on the publisher's node.
  for (let i = 1; received === 0; i++) {
    await reply(publisher, [16, i, { acknowledge: true }, "bench.topic", [0]]);
    await new Promise((r) => setTimeout(r, 20));
  }
  const payload = JSON.stringify({ value: 42, text: "hello subscribers" });
  let next = 1000;
  let stopping = false;
  let outstanding = 0;
  const done = Promise.withResolvers<void>();
  const send = () => {
    publisher.send(
      `[16,${next++},{"acknowledge":true},"bench.topic",[${next},${payload}]]`,
    );
    outstanding++;
  };
  publisher.onmessage = () => {
    outstanding--;
    if (!stopping) send();
    else if (outstanding === 0) done.resolve();
  };
  const startCount = received;
  const start = performance.now();
  setTimeout(() => stopping = true, s.seconds * 1000);
  for (let i = 0; i < s.inFlight; i++) send();
  await done.promise;
  // Count what arrived during the window (events still in flight excluded).
  const seconds = (performance.now() - start) / 1000;
  const count = received - startCount;
  publisher.close();
  subscriber.close();
  return { count, seconds };
}

const scenario = JSON.parse(Deno.args[0] ?? "{}") as Scenario;
const result = await (scenario.kind === "rpc" ? rpc : events)(scenario);
// deno-lint-ignore no-console -- the result goes to the parent process
console.log(JSON.stringify(result));
await new Promise((r) => setTimeout(r, 100));
Deno.exit(0);
