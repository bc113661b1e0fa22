/**
 * Start-up time and idle memory of a whole node (the seed example, started
 * with `main.ts start`) against a bare `Deno.serve` hello-world process
 * measured in the same run.
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

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

async function seedNodeDir(port: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "node_bench_" });
  await Deno.mkdir(resolve(dir, ".crossbar"));
  const config = await Deno.readTextFile(
    resolve(ROOT, ".crossbar/config.json"),
  );
  await Deno.writeTextFile(
    resolve(dir, ".crossbar/config.json"),
    config.replace(/"port": 8080/, `"port": ${port}`),
  );
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

async function measure(
  args: string[],
  port: number,
  cwd: string,
): Promise<{ startMs: number; rss: number }> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "null",
    stderr: "null",
  }).spawn();
  let startMs = NaN;
  for (let i = 0; i < 600; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      await response.body?.cancel();
      if (response.status === 200) {
        startMs = performance.now() - started;
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const rss = await rssMiB(child.pid);
  child.kill("SIGTERM");
  await child.status;
  return { startMs, rss };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const bareFile = await Deno.makeTempFile({ suffix: ".ts" });
await Deno.writeTextFile(bareFile, BARE);
const results = {
  bare: [] as { startMs: number; rss: number }[],
  node: [] as { startMs: number; rss: number }[],
};
for (let round = 0; round < ROUNDS; round++) {
  const barePort = freePort();
  results.bare.push(
    await measure(["run", "-A", bareFile, String(barePort)], barePort, ROOT),
  );
  const nodePort = freePort();
  const dir = await seedNodeDir(nodePort);
  results.node.push(
    await measure(
      ["run", "-A", resolve(ROOT, "main.ts"), "start", "--loglevel", "none"],
      nodePort,
      dir,
    ),
  );
  await Deno.remove(dir, { recursive: true });
}
await Deno.remove(bareFile);

const bareStart = median(results.bare.map((r) => r.startMs));
const nodeStart = median(results.node.map((r) => r.startMs));
const bareRss = median(results.bare.map((r) => r.rss));
const nodeRss = median(results.node.map((r) => r.rss));
const line = (name: string, a: string, b: string, c: string) =>
  `${name.padEnd(34)}${a.padStart(10)}${b.padStart(10)}${c.padStart(16)}`;
const out = [
  "",
  `Node start-up and idle memory (median of ${ROUNDS} rounds, interleaved)`,
  line("case", "start ms", "idle MiB", "ratio"),
  line(
    "bare Deno.serve hello (baseline)",
    bareStart.toFixed(0),
    bareRss.toFixed(0),
    "1.00",
  ),
  line(
    "seed node (wsgi pool + WAMP)",
    nodeStart.toFixed(0),
    nodeRss.toFixed(0),
    `${(nodeStart / bareStart).toFixed(2)} / ${(nodeRss / bareRss).toFixed(2)}`,
  ),
  "(ratio: start-up time / idle memory relative to the bare process)",
  "",
].join("\n");
await Deno.stdout.write(new TextEncoder().encode(out));
