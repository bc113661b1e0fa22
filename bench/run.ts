/**
 * `deno task bench`: runs every benchmark in turn, each in its own process,
 * and prints their tables. Figures are ratios against a baseline measured
 * in the same run (see each script's header for what it measures).
 *
 * Run: `deno task bench` (needs `wrk`: `apt-get install wrk`).
 *
 * @module
 */
import { resolve } from "node:path";

const BENCHES = [
  "http_bench.ts",
  "header_guard_bench.ts",
  "wamp_bench.ts",
  "rawsocket_bench.ts",
  "node_bench.ts",
  "cluster_bench.ts",
  "nats_transport_bench.ts",
];
const only = Deno.args;
let failed = 0;
for (const file of BENCHES) {
  if (only.length > 0 && !only.some((name) => file.startsWith(name))) continue;
  const header = `\n=== bench/${file} ===\n`;
  await Deno.stdout.write(new TextEncoder().encode(header));
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", resolve(import.meta.dirname!, file)],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) failed++;
}
Deno.exit(failed === 0 ? 0 : 1);
