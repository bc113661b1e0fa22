/**
 * Load generator for `wamp_bench.ts`, run in its own process so the router's
 * thread is measured alone. A lean raw-WebSocket JSON client (no WAMP
 * library) so the client is not the bottleneck; one scenario per run,
 * result printed as one JSON line: `{ "count": n, "seconds": s }`.
 *
 * Usage: deno run -A bench/wamp_bench_client.ts '<json scenario>'
 */
import { pump } from "./_pump.ts";

/** One scenario, as passed on the command line. */
interface Scenario {
  kind: "echo" | "rpc" | "fanout" | "autobahn-rpc";
  url: string;
  seconds: number;
  inFlight: number;
  subscribers?: number;
}

const HELLO = [1, "realm1", {
  roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} },
}];

function open(url: string, protocol?: string): Promise<WebSocket> {
  const ws = protocol ? new WebSocket(url, protocol) : new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    ws.onerror = (e) => reject(new Error(`cannot connect to ${url}: ${e}`));
  });
}

/** Opens a WAMP session and resolves after WELCOME. */
async function join(url: string): Promise<WebSocket> {
  const ws = await open(url, "wamp.2.json");
  await new Promise<void>((resolve, reject) => {
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data);
      if (msg[0] === 2) resolve();
      else reject(new Error(`no WELCOME: ${e.data}`));
    };
    ws.send(JSON.stringify(HELLO));
  });
  return ws;
}

/** Sends one request and waits for the reply whose type is `replyType`. */
function request(ws: WebSocket, msg: unknown[], replyType: number) {
  return new Promise<unknown[]>((resolve, reject) => {
    ws.onmessage = (e) => {
      const reply = JSON.parse(e.data);
      if (reply[0] === replyType) resolve(reply);
      else reject(new Error(`unexpected reply ${e.data}`));
    };
    ws.send(JSON.stringify(msg));
  });
}

async function echo(s: Scenario) {
  const ws = await open(s.url);
  const result = await pump(
    s.seconds,
    s.inFlight,
    (i) => ws.send(`[48,${i},{},"bench.echo",[${i}]]`),
    (onReply) => ws.onmessage = onReply,
  );
  ws.close();
  return result;
}

async function rpc(s: Scenario) {
  const callee = await join(s.url);
  await request(callee, [64, 1, {}, "bench.echo"], 65);
  callee.onmessage = (e) => {
    // INVOCATION [68, requestId, registrationId, details, args]: answer YIELD
    const msg = JSON.parse(e.data);
    callee.send(JSON.stringify([70, msg[1], {}, msg[4]]));
  };
  const caller = await join(s.url);
  const result = await pump(
    s.seconds,
    s.inFlight,
    (i) => caller.send(`[48,${i + 1},{},"bench.echo",[${i}]]`),
    (onReply) => caller.onmessage = onReply,
  );
  caller.close();
  callee.close();
  return result;
}

async function fanout(s: Scenario) {
  const n = s.subscribers ?? 1;
  const subscribers: WebSocket[] = [];
  let events = 0;
  for (let i = 0; i < n; i++) {
    const ws = await join(s.url);
    await request(ws, [32, 1, {}, "bench.topic"], 33);
    ws.onmessage = () => events++;
    subscribers.push(ws);
  }
  const publisher = await join(s.url);
  const payload = JSON.stringify({ value: 42, text: "hello subscribers" });
  const start = performance.now();
  await pump(
    s.seconds,
    s.inFlight,
    (i) =>
      publisher.send(
        `[16,${i + 1},{"acknowledge":true},"bench.topic",[${i},${payload}]]`,
      ),
    (onReply) => publisher.onmessage = onReply,
  );
  const seconds = (performance.now() - start) / 1000;
  const count = events;
  publisher.close();
  for (const ws of subscribers) ws.close();
  return { count, seconds };
}

async function autobahnRpc(s: Scenario) {
  const { default: autobahn } = await import("autobahn");
  // deno-lint-ignore no-explicit-any -- autobahn-js has no types
  type Any = any;
  const connect = () =>
    new Promise<{ session: Any; connection: Any }>((resolve, reject) => {
      const connection = new autobahn.Connection({
        url: s.url,
        realm: "realm1",
        max_retries: 0,
        use_es6_promises: true,
      });
      connection.onopen = (session: unknown) =>
        resolve({ session, connection });
      connection.onclose = (reason: string) => {
        reject(new Error(reason));
        return true;
      };
      connection.open();
    });
  const callee = await connect();
  await callee.session.register("bench.echo", (args: unknown[]) => args[0]);
  const caller = await connect();
  let onReply = () => {};
  const result = await pump(
    s.seconds,
    s.inFlight,
    (i) => caller.session.call("bench.echo", [i]).then(() => onReply()),
    (r) => onReply = r,
  );
  caller.connection.close();
  callee.connection.close();
  return result;
}

const scenario = JSON.parse(Deno.args[0] ?? "{}") as Scenario;
const run = { echo, rpc, fanout, "autobahn-rpc": autobahnRpc }[scenario.kind];
const result = await run(scenario);
// deno-lint-ignore no-console -- the result goes to the parent process
console.log(JSON.stringify(result));
await new Promise((r) => setTimeout(r, 100));
Deno.exit(0);
