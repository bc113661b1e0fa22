// deno-lint-ignore-file no-console -- a CLI script: its output is the report
/**
 * HTTP benchmark of the app host: the same handler bare on `Deno.serve`
 * versus hosted at a wsgi path on a worker pool. Cases are interleaved over
 * several rounds (a fresh server process per measurement); the table shows
 * the median req/s and the ratio to the bare row of the same group.
 *
 * Needs `wrk` (Debian: `apt-get install -y wrk`).
 * Run: `deno run -A bench/http_bench.ts [--rounds 3] [--seconds 3]
 *   [--connections 50] [--idle-wait 20]`
 *
 * @module
 */
import { median, option, wrk } from "./_wrk.ts";
import { type Server, spawnServer } from "./_server_process.ts";

interface Case {
  group: string;
  label: string;
  mode: "bare" | "hosted";
  app: string;
  workers: number;
  /** Target ratio to bare, for the table. */
  target?: number;
}

const CASES: Case[] = [
  { group: "hello", label: "bare", mode: "bare", app: "hello", workers: 0 },
  {
    group: "hello",
    label: "hosted, pool 1",
    mode: "hosted",
    app: "hello",
    workers: 1,
    target: 0.35,
  },
  {
    group: "hello",
    label: "hosted, pool 2",
    mode: "hosted",
    app: "hello",
    workers: 2,
    target: 0.35,
  },
  { group: "cpu 1 ms", label: "bare", mode: "bare", app: "cpu", workers: 0 },
  {
    group: "cpu 1 ms",
    label: "hosted, pool 2",
    mode: "hosted",
    app: "cpu",
    workers: 2,
    target: 1.6,
  },
  { group: "page", label: "bare", mode: "bare", app: "page", workers: 0 },
  {
    group: "page",
    label: "hosted, pool 2",
    mode: "hosted",
    app: "page",
    workers: 2,
    target: 0.9,
  },
];

const ROUNDS = option("rounds", 3);
const SECONDS = option("seconds", 3);
const CONNECTIONS = option("connections", 50);
const IDLE_WAIT_S = option("idle-wait", 20);
const SERVER = new URL("./_http_server.ts", import.meta.url).pathname;

async function haveWrk(): Promise<boolean> {
  try {
    const out = await new Deno.Command("wrk", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.code === 0 || out.code === 1;
  } catch {
    return false;
  }
}

function startServer(c: Case): Promise<Server> {
  return spawnServer(
    Deno.execPath(),
    ["run", "-A", SERVER, c.mode, c.app, String(c.workers)],
    (line) => {
      const m = /^listening (\d+)/.exec(line);
      return m ? Number(m[1]) : undefined;
    },
    "stdout",
  );
}

/** Busy cores over `ms`, from /proc/stat (undefined if unreadable). */
async function busyCores(ms: number): Promise<number | undefined> {
  const sample = async () => {
    const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0]!;
    const fields = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + (fields[4] ?? 0);
    return { idle, total: fields.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = await sample();
    await new Promise((r) => setTimeout(r, ms));
    const b = await sample();
    const cores = navigator.hardwareConcurrency;
    return (1 - (b.idle - a.idle) / (b.total - a.total)) * cores;
  } catch {
    return undefined;
  }
}

/**
 * Waits (up to `IDLE_WAIT_S`) until other processes use < 0.2 cores, as
 * the design note's driver did: this machine is shared.
 */
async function waitForIdle(): Promise<void> {
  const until = Date.now() + IDLE_WAIT_S * 1000;
  while (Date.now() < until) {
    const busy = await busyCores(300);
    if (busy === undefined || busy < 0.2) return;
  }
  console.error(`machine still busy after ${IDLE_WAIT_S} s; measuring anyway`);
}

async function measure(c: Case): Promise<number> {
  await waitForIdle();
  const server = await startServer(c);
  try {
    await wrk(server.port, 1, CONNECTIONS);
    return await wrk(server.port, SECONDS, CONNECTIONS);
  } finally {
    await server.stop();
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + " ".repeat(n - s.length);
}

async function main(): Promise<void> {
  if (!(await haveWrk())) {
    console.error(
      "wrk is missing: install it with `apt-get update && apt-get install -y wrk`",
    );
    Deno.exit(2);
  }
  const results = new Map<Case, number[]>(CASES.map((c) => [c, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of CASES) {
      const rps = await measure(c);
      results.get(c)!.push(rps);
      console.error(
        `round ${round} ${c.group} / ${c.label}: ${rps.toFixed(0)} req/s`,
      );
    }
  }
  const lines = [
    `| group | config | req/s median | runs | ratio to bare | target |`,
    `|---|---|---|---|---|---|`,
  ];
  for (const c of CASES) {
    const runs = results.get(c)!;
    const bare = CASES.find((b) => b.group === c.group && b.mode === "bare")!;
    const ratio = median(runs) / median(results.get(bare)!);
    const target = c.target === undefined
      ? ""
      : `>= ${c.target} ${ratio >= c.target ? "met" : "MISSED"}`;
    lines.push(
      `| ${c.group} | ${pad(c.label, 14)} | ${median(runs).toFixed(0)} | ${
        runs.map((r) => (r / 1000).toFixed(1) + "k").join(" / ")
      } | ${ratio.toFixed(2)} | ${target} |`,
    );
  }
  console.log(
    `wrk -t1 -c${CONNECTIONS}, 1 s warm-up + ${SECONDS} s, ${ROUNDS} rounds interleaved, median\n`,
  );
  console.log(lines.join("\n"));
}

if (import.meta.main) await main();
