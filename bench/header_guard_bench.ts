// deno-lint-ignore-file no-console -- a CLI script: its output is the report
/**
 * What the header timeout (`request_header_timeout`, `Deno.serve` front
 * end) costs per request: a node with it (the default, 10 s) against the
 * same node with `null`, on a path the node answers itself (`json`) and on a
 * hosted wsgi hello app. Each case runs in its own node process; `wrk -t1`
 * runs alternate between the two, and the table shows median req/s, median
 * server CPU per request (user + system time of the node process over the
 * run, which depends less on what else the machine runs) and each ratio to
 * the node without the timeout.
 *
 * Needs `wrk` (Debian: `apt-get install -y wrk`).
 * Run: `deno run -A bench/header_guard_bench.ts [--rounds 5] [--seconds 3]
 *   [--connections 50]`
 *
 * @module
 */
import { resolve } from "node:path";
import { median, option } from "./_wrk.ts";

const HELLO_APP = resolve(import.meta.dirname!, "apps/hello.ts");

if (Deno.args[0] === "--serve") {
  const { hostNode } = await import("../lib/node/mod.ts");
  const { createLogger } = await import("../lib/log/mod.ts");
  const timeout = Deno.args[1] === "null" ? null : Number(Deno.args[1]);
  const node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [],
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        options: { request_header_timeout: timeout },
        paths: {
          "/": { type: "json", value: "Hello World" },
          app: {
            type: "wsgi",
            module: HELLO_APP,
            object: "default",
            workers: 1,
          },
        },
      }],
    }],
  }, {
    cbdir: await Deno.makeTempDir(),
    logger: createLogger({ level: "error", write: () => {} }),
  });
  console.log(`listening ${new URL(node.url).port}`);
  await new Promise(() => {});
}

const ROUNDS = option("rounds", 5);
const SECONDS = option("seconds", 3);
const CONNECTIONS = option("connections", 50);
const TICKS = 100; // USER_HZ of /proc/<pid>/stat on Linux

interface NodeProcess {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

async function startNode(timeout: string): Promise<NodeProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, "--serve", timeout],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  while (!/listening \d+\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the node exited early: ${text}`);
    text += value;
  }
  const port = Number(/listening (\d+)/.exec(text)![1]);
  return {
    port,
    pid: child.pid,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await reader.cancel();
    },
  };
}

async function cpuTicks(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

async function run(node: NodeProcess, path: string) {
  const before = await cpuTicks(node.pid);
  const out = await new Deno.Command("wrk", {
    args: [
      "-t1",
      `-c${CONNECTIONS}`,
      `-d${SECONDS}s`,
      `http://127.0.0.1:${node.port}${path}`,
    ],
    stdout: "piped",
  }).output();
  const after = await cpuTicks(node.pid);
  const text = new TextDecoder().decode(out.stdout);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(text)?.[1]);
  if (!rps || /Non-2xx/.test(text)) throw new Error(`wrk: ${text}`);
  return { rps, cpuUs: ((after - before) / TICKS) * 1e6 / requests };
}

const load = () => Deno.loadavg().map((l) => l.toFixed(1)).join(" ");
console.log(`load average before: ${load()}`);
const nodes = { off: await startNode("null"), on: await startNode("10") };
const results: Record<string, { rps: number[]; cpuUs: number[] }> = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of ["/", "/app"]) {
      for (const mode of ["off", "on"] as const) {
        const { rps, cpuUs } = await run(nodes[mode], path);
        const key = `${path} ${mode}`;
        results[key] ??= { rps: [], cpuUs: [] };
        results[key].rps.push(rps);
        results[key].cpuUs.push(cpuUs);
      }
    }
  }
} finally {
  await nodes.off.stop();
  await nodes.on.stop();
}
console.log(`load average after: ${load()}`);
if (Deno.args.includes("--samples")) console.log(JSON.stringify(results));
console.log(
  "| path | request_header_timeout | req/s | ratio | CPU µs/req | ratio |",
);
console.log(
  "| ---- | ---------------------- | ----- | ----- | ---------- | ----- |",
);
for (const path of ["/", "/app"]) {
  const off = results[`${path} off`]!;
  for (const mode of ["off", "on"]) {
    const r = results[`${path} ${mode}`]!;
    const rps = median(r.rps);
    const cpu = median(r.cpuUs);
    console.log(
      `| ${path} | ${mode === "on" ? "10" : "null"} | ${rps.toFixed(0)} | ${
        (rps / median(off.rps)).toFixed(2)
      } | ${cpu.toFixed(1)} | ${(cpu / median(off.cpuUs)).toFixed(2)} |`,
    );
  }
}
