/**
 * Start-up time and idle memory of whole nodes started with `main.ts start`
 * (the seed example, and the same node with a plain function app) against a
 * bare `Deno.serve` hello-world process measured in the same run.
 *
 * "Start-up" is from spawning the process until the first `GET /` answers
 * 200; "idle" is the process's resident memory (VmRSS, with its worker
 * threads) one second after that, with no load.
 *
 * Run: `deno run -A bench/node_bench.ts`
 *
 * @module
 */
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dirname!, "..");
const ROUNDS = 3;

const BARE =
  `Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.args[0]), onListen() {} },
  () => new Response("<h1>Hello</h1>", { headers: { "content-type": "text/html" } }));`;

const PLAIN_APP = `export function app(): Response {
  return new Response("<h1>Hello from Crossbar.io</h1>", {
    headers: { "content-type": "text/html" },
  });
}
`;

type Sample = { startMs: number; rss: number };
type Case = "bare" | "plain" | "seed";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A node directory with the seed's config on `port` and the chosen app. */
async function nodeDir(port: number, app: "plain" | "seed"): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "node_bench_" });
  await Deno.mkdir(resolve(dir, ".crossbar"));
  const config = await Deno.readTextFile(
    resolve(ROOT, ".crossbar/config.json"),
  );
  await Deno.writeTextFile(
    resolve(dir, ".crossbar/config.json"),
    config.replace(/"port": 8080/, `"port": ${port}`),
  );
  if (app === "plain") {
    await Deno.writeTextFile(resolve(dir, "myapp.ts"), PLAIN_APP);
    return dir;
  }
  await Deno.copyFile(resolve(ROOT, "myapp.ts"), resolve(dir, "myapp.ts"));
  await Deno.mkdir(resolve(dir, "templates"));
  await Deno.copyFile(
    resolve(ROOT, "templates/index.html"),
    resolve(dir, "templates/index.html"),
  );
  return dir;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? NaN);
  return kb / 1024;
}

async function measure(args: string[], port: number, cwd: string) {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "null",
    stderr: "null",
  }).spawn();
  let startMs = NaN;
  for (let i = 0; i < 3000 && Number.isNaN(startMs); i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      await response.body?.cancel();
      if (response.status === 200) startMs = performance.now() - started;
    } catch {
      await new Promise((r) => setTimeout(r, 2)); // not listening yet
    }
  }
  await new Promise((r) => setTimeout(r, 1000));
  const rss = await rssMiB(child.pid);
  child.kill("SIGTERM");
  await child.status;
  return { startMs, rss };
}

async function sample(which: Case, bareFile: string): Promise<Sample> {
  const port = freePort();
  if (which === "bare") {
    return await measure(["run", "-A", bareFile, String(port)], port, ROOT);
  }
  const dir = await nodeDir(port, which);
  try {
    return await measure(
      ["run", "-A", resolve(ROOT, "main.ts"), "start", "--loglevel", "none"],
      port,
      dir,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const bareFile = await Deno.makeTempFile({ suffix: ".ts" });
await Deno.writeTextFile(bareFile, BARE);
const results: Record<Case, Sample[]> = { bare: [], plain: [], seed: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const which of ["bare", "plain", "seed"] as const) {
    results[which].push(await sample(which, bareFile));
  }
}
await Deno.remove(bareFile);

const bareStart = median(results.bare.map((r) => r.startMs));
const bareRss = median(results.bare.map((r) => r.rss));
const line = (name: string, a: string, b: string, c: string) =>
  `${name.padEnd(42)}${a.padStart(10)}${b.padStart(10)}${c.padStart(16)}`;
const row = (name: string, samples: Sample[]) => {
  const start = median(samples.map((r) => r.startMs));
  const rss = median(samples.map((r) => r.rss));
  const ratio = `${(start / bareStart).toFixed(2)} / ${
    (rss / bareRss).toFixed(2)
  }`;
  return line(name, start.toFixed(0), rss.toFixed(0), ratio);
};
const out = [
  "",
  `Start-up (spawn to first 200) and idle memory, median of ${ROUNDS} interleaved rounds`,
  line("case", "start ms", "idle MiB", "ratio"),
  row("bare Deno.serve hello (baseline)", results.bare),
  row("node: plain function app at / + WAMP /ws", results.plain),
  row("seed node: Hono + nunjucks at / + WAMP /ws", results.seed),
  "(ratio: start-up time / idle memory relative to the bare process)",
  "",
].join("\n");
await Deno.stdout.write(new TextEncoder().encode(out));
