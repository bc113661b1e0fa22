// deno-lint-ignore-file no-console -- a CLI script: its output is the report
/**
 * The seed page three ways, in one run: the seed's Flask app (`myapp.py`,
 * unchanged) on gunicorn alone (TCP, no node, no sandbox: the baseline),
 * the same app hosted by a node at a Python `wsgi` path (sandboxed
 * gunicorn behind the node's request handling), and the TypeScript port
 * (`examples/wsgi/myapp.ts`, Hono + nunjucks) hosted on a pool of Web Workers.
 * Each with 2 workers; cases interleaved over rounds, median req/s.
 * Crossbar.io 21.3.1 served the seed's Flask app at about 1,300 req/s on
 * this machine (its figure, not measured here).
 *
 * Needs `wrk`, gunicorn and python3-flask (Debian).
 * Run: `deno run -A bench/python_bench.ts [--rounds 3] [--seconds 3]`
 *
 * @module
 */
import { median, option, wrk } from "./_wrk.ts";
import { type Server, spawnServer } from "./_server_process.ts";
import { fileURLToPath } from "node:url";

const CROSSBAR_RPS = 1300;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const ROUNDS = option("rounds", 3);
const SECONDS = option("seconds", 3);
const CONNECTIONS = option("connections", 50);

interface Case {
  readonly label: string;
  /** Starts the server; resolves with its port and a stop function. */
  readonly start: () => Promise<Server>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

const CASES: Case[] = [
  {
    label: "Flask on gunicorn alone (2 workers, TCP)",
    start: () => {
      const port = freePort();
      return spawnServer(
        "/usr/bin/gunicorn",
        [
          "--bind",
          `127.0.0.1:${port}`,
          "--workers",
          "2",
          "--chdir",
          here("../examples/flask"),
          "myapp:app",
        ],
        (line) => /Listening at/.test(line) ? port : undefined,
        "stderr",
      );
    },
  },
  {
    label: "Flask hosted by the node (2 gunicorn workers, sandboxed)",
    start: () =>
      spawnServer(Deno.execPath(), [
        "run",
        "-A",
        here("./_python_server.ts"),
        "python",
        "2",
      ], (line) => {
        const m = /^listening (\d+)/.exec(line);
        return m ? Number(m[1]) : undefined;
      }, "stdout"),
  },
  {
    label: "TypeScript port hosted by the node (pool of 2)",
    start: () =>
      spawnServer(Deno.execPath(), [
        "run",
        "-A",
        here("./_python_server.ts"),
        "typescript",
        "2",
      ], (line) => {
        const m = /^listening (\d+)/.exec(line);
        return m ? Number(m[1]) : undefined;
      }, "stdout"),
  },
];

async function measure(c: Case): Promise<number> {
  const server = await c.start();
  try {
    const page = await (await fetch(`http://127.0.0.1:${server.port}/`)).text();
    if (!page.includes("<h1>Hello from Crossbar.io</h1>")) {
      throw new Error(`${c.label}: not the seed page: ${page}`);
    }
    await wrk(server.port, 1, CONNECTIONS);
    return await wrk(server.port, SECONDS, CONNECTIONS);
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const results = new Map<Case, number[]>(CASES.map((c) => [c, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of CASES) {
      const rps = await measure(c);
      results.get(c)!.push(rps);
      console.error(`round ${round} ${c.label}: ${rps.toFixed(0)} req/s`);
    }
  }
  const baseline = median(results.get(CASES[0]!)!);
  const lines = [
    "| the seed page | req/s median | runs | ratio to gunicorn alone | ratio to Crossbar.io (1,300) |",
    "|---|---|---|---|---|",
  ];
  for (const c of CASES) {
    const runs = results.get(c)!;
    const m = median(runs);
    lines.push(
      `| ${c.label} | ${m.toFixed(0)} | ${
        runs.map((r) => r.toFixed(0)).join(" / ")
      } | ${(m / baseline).toFixed(2)} | ${(m / CROSSBAR_RPS).toFixed(1)} |`,
    );
  }
  console.log(
    `wrk -t1 -c${CONNECTIONS}, 1 s warm-up + ${SECONDS} s, ${ROUNDS} rounds interleaved, median\n`,
  );
  console.log(lines.join("\n"));
}

if (import.meta.main) await main();
