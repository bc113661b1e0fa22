// deno-lint-ignore-file no-console -- a CLI script: its output is the report
/**
 * Where a cross-node call's (or event's) time goes: a real nats-server and
 * two clustered node processes (`main.ts start --cpu-prof`), load from
 * `cluster_bench_client.ts` (caller or publisher on A, callee or subscriber
 * on B), then each node's V8 CPU profile split into categories, in µs of
 * the node's main thread per call or event. Categories nest (a WebSocket
 * message that routes a call includes the MessagePack encoding of the
 * record), so rows do not add up; "idle" is the event loop waiting or
 * polling sockets outside JavaScript.
 *
 * Usage: deno run -A bench/cluster_profile.ts [--kind=rpc|events]
 * [--seconds=6] [--in-flight=50] [--keep=DIR]
 *
 * @module
 */
import { startNatsServer } from "../lib/cluster/nats_server.ts";
import { nodeConfig, startNode } from "./_cluster_node.ts";

const option = (name: string, fallback: string) =>
  Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ??
    fallback;
const KIND = option("kind", "rpc");
const SECONDS = Number(option("seconds", "6"));
const IN_FLIGHT = Number(option("in-flight", "50"));
const CLIENT = new URL("./cluster_bench_client.ts", import.meta.url).pathname;

interface Node {
  readonly url: string;
  readonly profiles: string;
  stop(): Promise<void>;
}

/** Starts a clustered node that writes a CPU profile when it stops. */
async function startProfiledNode(
  cluster: unknown,
  profiles: string,
): Promise<Node> {
  // SIGTERM (the helper's stop) ends the node cleanly, so V8 writes the
  // profile.
  const node = await startNode(
    nodeConfig(cluster, { ws: { type: "websocket" } }),
    {
      denoArgs: ["--cpu-prof", `--cpu-prof-dir=${profiles}`],
      ready: /Joined cluster/,
    },
  );
  return {
    url: node.url.replace("http:", "ws:") + "/ws",
    profiles,
    stop: () => node.stop(),
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Category: a frame on the stack whose "function file" name matches. */
const CATEGORIES: [string, (frame: string) => boolean][] = [
  ["NATS socket writes", (f) => f === "#drain _transport.ts"],
  ["NATS parser (our inbox callback excluded)", () => false],
  [
    "inbox callback (decode and handle)",
    (f) => f === "callback cluster_node.ts",
  ],
  ["MessagePack encode", (f) => f === "pack _wire.ts"],
  [
    "MessagePack decode",
    (f) => f === "unpackAll _wire.ts" || f === "unpack _wire.ts",
  ],
  [
    "WebSocket message in (incl. routing)",
    (f) => f === "#receive websocket_transport.ts",
  ],
  ["WebSocket send", (f) => f === "send websocket_transport.ts"],
  ["garbage collector", (f) => f === "(garbage collector) "],
  ["idle", (f) => f === "(idle) "],
];

/** µs per operation by category for one profile. */
function breakdown(profile: Profile, operations: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const weight = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    weight.set(id, (weight.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  const out = new Map<string, number>([
    ["all (wall)", 0],
    ...CATEGORIES.map(([name]) => [name, 0] as [string, number]),
  ]);
  for (const [id, us] of weight) {
    const stack: string[] = [];
    for (
      let at: number | undefined = id;
      at !== undefined;
      at = parent.get(at)
    ) {
      const { functionName, url } = byId.get(at)!.callFrame;
      stack.push(`${functionName} ${url.split("/").at(-1)}`);
    }
    out.set("all (wall)", out.get("all (wall)")! + us);
    for (const [name, test] of CATEGORIES) {
      const hit = name.startsWith("NATS parser")
        ? stack.some((f) => f === "parse parser.js") &&
          !stack.some((f) => f === "callback cluster_node.ts")
        : stack.some(test);
      if (hit) out.set(name, (out.get(name) ?? 0) + us);
    }
  }
  out.set("active (all but idle)", out.get("all (wall)")! - out.get("idle")!);
  for (const [name, us] of out) out.set(name, us / operations);
  return out;
}

const keep = option("keep", "");
const root = keep || await Deno.makeTempDir({ prefix: "cluster_profile_" });
const nats = await startNatsServer();
let result: { count: number; seconds: number; p50?: number };
const profiles: Map<string, number>[] = [];
try {
  const cluster = { name: "profile", nats: { servers: [nats.url] } };
  const a = await startProfiledNode(cluster, `${root}/A`);
  const b = await startProfiledNode(cluster, `${root}/B`);
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        CLIENT,
        JSON.stringify({
          kind: KIND,
          serveUrl: b.url,
          useUrl: a.url,
          seconds: SECONDS,
          inFlight: IN_FLIGHT,
        }),
      ],
      stdout: "piped",
    }).output();
    const text = new TextDecoder().decode(output.stdout).trim();
    result = JSON.parse(text.split("\n").at(-1)!);
  } finally {
    await a.stop();
    await b.stop();
  }
  for (const node of [a, b]) {
    for await (const entry of Deno.readDir(node.profiles)) {
      const profile = JSON.parse(
        await Deno.readTextFile(`${node.profiles}/${entry.name}`),
      ) as Profile;
      profiles.push(breakdown(profile, result.count));
    }
  }
} finally {
  await nats.close();
  if (!keep) await Deno.remove(root, { recursive: true });
}
console.log(
  `${KIND}, ${IN_FLIGHT} in flight, ${SECONDS} s: ${
    Math.round(result.count / result.seconds)
  }/s${
    result.p50 === undefined ? "" : `, p50 ${result.p50.toFixed(2)} ms`
  } (profiled nodes run slower)\n`,
);
console.log("| µs of the main thread per operation | node A | node B |");
console.log("| --- | ---: | ---: |");
for (const name of profiles[0]!.keys()) {
  console.log(
    `| ${name} | ${(profiles[0]!.get(name) ?? 0).toFixed(1)} | ${
      (profiles[1]?.get(name) ?? 0).toFixed(1)
    } |`,
  );
}
