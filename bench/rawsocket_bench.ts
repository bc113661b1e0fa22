/**
 * Transport benchmark: the same router serves a WebSocket path and a
 * RawSocket listener; the same lean JSON client (a separate process,
 * `rawsocket_bench_client.ts`) runs RPC and pub/sub over each, so the
 * ratio RawSocket / WebSocket is the cost of WebSocket framing. RawSocket
 * RPC should beat WebSocket RPC.
 *
 * Also the universal transport's HTTP relay: `wrk` on a JSON path of a
 * plain web transport (baseline) and of a universal transport, with
 * keep-alive and with a new connection per request.
 *
 * Usage: deno run -A bench/rawsocket_bench.ts [--seconds=3] [--rounds=2]
 *
 * @module
 */
import { hostNode } from "../lib/node/host.ts";
import { runClientProcess } from "./_client_process.ts";

const SECONDS = Number(
  Deno.args.find((a) => a.startsWith("--seconds="))?.slice(10) ?? 3,
);
const ROUNDS = Number(
  Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 2,
);
const CLIENT = new URL("./rawsocket_bench_client.ts", import.meta.url)
  .pathname;

const LOOPBACK = { type: "tcp", port: 0, interface: "127.0.0.1" };
const REALM = {
  name: "realm1",
  roles: [{
    name: "anonymous",
    permissions: [{
      uri: "",
      match: "prefix",
      allow: { call: true, register: true, publish: true, subscribe: true },
      cache: true,
    }],
  }],
};

async function runClient(scenario: Record<string, unknown>): Promise<number> {
  const outcome = await runClientProcess(CLIENT, scenario);
  return outcome.count / outcome.seconds;
}

/** Requests/s from `wrk`, or undefined when wrk is not installed. */
async function wrk(url: string, close: boolean): Promise<number | undefined> {
  try {
    const output = await new Deno.Command("wrk", {
      args: [
        "-t1",
        "-c16",
        `-d${SECONDS}s`,
        ...(close ? ["-H", "Connection: close"] : []),
        url,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout);
    const match = /Requests\/sec:\s+([\d.]+)/.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  await using node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [REALM],
      transports: [
        {
          type: "web",
          endpoint: LOOPBACK,
          paths: {
            ws: { type: "websocket", serializers: ["json"] },
            "/": { type: "json", value: { hello: "world" } },
          },
        },
        { type: "rawsocket", endpoint: LOOPBACK, serializers: ["json"] },
        {
          type: "universal",
          endpoint: LOOPBACK,
          web: { paths: { "/": { type: "json", value: { hello: "world" } } } },
        },
      ],
    }],
  });
  const [web, raw, universal] = node.transports.map((t) => t.url);
  const ws = web!.replace("http:", "ws:") + "/ws";
  const rs = raw!.replace("rs://", "");
  const base = { seconds: SECONDS, inFlight: 50 };
  const pairs = [
    { name: "RPC (1 caller, 1 callee)", unit: "calls/s", kind: "rpc" },
    {
      name: "events to 1 subscriber",
      unit: "events/s",
      kind: "fanout",
      subscribers: 1,
    },
    {
      name: "events to 100 subscribers",
      unit: "events/s",
      kind: "fanout",
      subscribers: 100,
      inFlight: 10,
    },
  ];
  const best = pairs.map(() => ({ websocket: 0, rawsocket: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, pair] of pairs.entries()) {
      for (const transport of ["websocket", "rawsocket"] as const) {
        const rate = await runClient({
          ...base,
          ...pair,
          transport,
          url: transport === "websocket" ? ws : rs,
        });
        best[i]![transport] = Math.max(best[i]![transport], rate);
      }
    }
  }
  const lines = [
    `Transport benchmark (json, ${SECONDS} s per scenario, best of ${ROUNDS} rounds, clients in a separate process)`,
    "scenario".padEnd(28) + "WebSocket".padStart(11) +
    "RawSocket".padStart(11) + "  unit".padEnd(12) + "  RS / WS",
    ...pairs.map((p, i) =>
      p.name.padEnd(28) +
      Math.round(best[i]!.websocket).toString().padStart(11) +
      Math.round(best[i]!.rawsocket).toString().padStart(11) + "  " +
      p.unit.padEnd(10) + "  " +
      (best[i]!.rawsocket / best[i]!.websocket).toFixed(2)
    ),
  ];
  const http: string[] = [];
  for (const close of [false, true]) {
    const plain = await wrk(web + "/", close);
    const relayed = await wrk(universal + "/", close);
    if (plain === undefined || relayed === undefined) {
      http.push("(wrk not installed: universal relay not measured)");
      break;
    }
    http.push(
      `HTTP ${close ? "new connection per request" : "keep-alive"}`.padEnd(
        36,
      ) +
        `web ${Math.round(plain)} req/s, universal ${
          Math.round(relayed)
        } req/s: ${(relayed / plain).toFixed(2)}`,
    );
  }
  // deno-lint-ignore no-console -- a benchmark prints its table
  console.log([...lines, "", ...http].join("\n"));
}

if (import.meta.main) await main();
