// deno-lint-ignore-file no-console -- a CLI script: its output is the report
/**
 * NATS client transports under Deno, compared in one run against one
 * `nats-server` (TCP and WebSocket listeners on loopback):
 * - `node`: `@nats-io/transport-node` (Deno's `node:net` compatibility);
 * - `ws`: `wsconnect` over Deno's native WebSocket;
 * - `deno`: ours on `Deno.connect` (`lib/cluster/_transport.ts`).
 *
 * Rows: ping-pong between two connections of this process (publish, the
 * other answers with a publish; the cluster's cross-node call pattern),
 * 1 in flight (p50/p99 µs) and 50 in flight (round trips/s); one-way
 * publishes received per second; ratios to `node` (the baseline, same
 * run).
 *
 * Usage: deno run -A bench/nats_transport_bench.ts [--seconds=2] [--rounds=2]
 *
 * @module
 */
import {
  connect,
  type NatsConnection,
  wsconnect,
} from "@nats-io/transport-node";
import { NatsConnectionImpl } from "@nats-io/transport-node";
import { freePort } from "../lib/cluster/nats_server.ts";
import { useDenoTransport } from "../lib/cluster/_transport.ts";

const arg = (name: string, fallback: number) =>
  Number(
    Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ??
      fallback,
  );
const SECONDS = arg("seconds", 2);
const ROUNDS = arg("rounds", 2);

async function startServer(): Promise<
  { tcp: string; ws: string; stop(): Promise<void> }
> {
  const port = freePort();
  const wsPort = freePort();
  const dir = await Deno.makeTempDir({ prefix: "nats_bench_" });
  await Deno.writeTextFile(
    `${dir}/nats.conf`,
    `listen: "127.0.0.1:${port}"\nwebsocket {\n  listen: "127.0.0.1:${wsPort}"\n  no_tls: true\n}\n`,
  );
  const child = new Deno.Command("nats-server", {
    args: ["-c", `${dir}/nats.conf`],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  while (!/Server is ready/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`nats-server exited:\n${text}`);
    text += value;
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return {
    tcp: `nats://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${wsPort}`,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

type Dial = () => Promise<NatsConnection>;

function dialers(server: { tcp: string; ws: string }): Record<string, Dial> {
  return {
    node: () => connect({ servers: server.tcp, noEcho: true }),
    ws: () => wsconnect({ servers: server.ws, noEcho: true }),
    deno: () => {
      useDenoTransport();
      return NatsConnectionImpl.connect({ servers: server.tcp, noEcho: true });
    },
  };
}

interface Outcome {
  p50: number;
  p99: number;
  pipelined: number;
  oneWay: number;
}

const PAYLOAD = new Uint8Array(120).fill(7);

async function measure(dial: Dial): Promise<Outcome> {
  const a = await dial();
  const b = await dial();
  b.subscribe("bench.ping", {
    callback: (_e, msg) => b.publish("bench.pong", msg.data),
  });
  let onPong = () => {};
  a.subscribe("bench.pong", { callback: () => onPong() });
  await Promise.all([a.flush(), b.flush()]);
  // 1 in flight.
  const latencies: number[] = [];
  let end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    await new Promise<void>((resolve) => {
      onPong = resolve;
      a.publish("bench.ping", PAYLOAD);
    });
    latencies.push((performance.now() - t) * 1000);
  }
  latencies.sort((x, y) => x - y);
  // 50 in flight.
  let count = 0;
  let start = performance.now();
  end = start + SECONDS * 1000;
  await new Promise<void>((resolve) => {
    let outstanding = 0;
    onPong = () => {
      count++;
      outstanding--;
      if (performance.now() < end) {
        outstanding++;
        a.publish("bench.ping", PAYLOAD);
      } else if (outstanding === 0) resolve();
    };
    for (let i = 0; i < 50; i++) {
      outstanding++;
      a.publish("bench.ping", PAYLOAD);
    }
  });
  const pipelined = count / ((performance.now() - start) / 1000);
  // One way: a publishes in bursts, b counts.
  let received = 0;
  b.subscribe("bench.oneway", {
    callback: () => {
      received++;
    },
  });
  await b.flush();
  start = performance.now();
  end = start + SECONDS * 1000;
  let sent = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 500; i++) a.publish("bench.oneway", PAYLOAD);
    sent += 500;
    await a.flush();
  }
  while (received < sent) {
    await new Promise((r) => setTimeout(r, 1));
  }
  const oneWay = received / ((performance.now() - start) / 1000);
  await a.close();
  await b.close();
  const at = (p: number) =>
    latencies[
      Math.min(latencies.length - 1, Math.floor(latencies.length * p))
    ]!;
  return { p50: at(0.5), p99: at(0.99), pipelined, oneWay };
}

const server = await startServer();
const results = new Map<string, Outcome[]>();
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, dial] of Object.entries(dialers(server))) {
      const list = results.get(name) ?? [];
      list.push(await measure(dial));
      results.set(name, list);
    }
  }
} finally {
  await server.stop();
}
const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor((s.length - 1) / 2)]!;
};
console.log(
  `NATS transports, ${SECONDS} s per run, median of ${ROUNDS} (load ${
    Deno.loadavg().map((x) => x.toFixed(1)).join(" ")
  })\n`,
);
console.log(
  "| transport | ping-pong p50 µs | p99 µs | 50 in flight round trips/s | one-way msgs/s | p50 / node | one-way / node |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
const node = results.get("node")!;
const baseP50 = median(node.map((o) => o.p50));
const baseOneWay = median(node.map((o) => o.oneWay));
for (const [name, list] of results) {
  const p50 = median(list.map((o) => o.p50));
  const oneWay = median(list.map((o) => o.oneWay));
  console.log(
    `| ${name} | ${p50.toFixed(0)} | ${
      median(list.map((o) => o.p99)).toFixed(0)
    } | ${Math.round(median(list.map((o) => o.pipelined)))} | ${
      Math.round(oneWay)
    } | ${(p50 / baseP50).toFixed(2)} | ${(oneWay / baseOneWay).toFixed(2)} |`,
  );
}
