// deno-lint-ignore-file no-console -- a CLI script: its output is the report
/**
 * Soak of worker replacement (issue 13): hosts the `kitchen` fixture app on
 * a pool of one worker and sends `/exit` requests, each of which kills the
 * worker (502) so that the pool replaces it, `--churn` times (1,000 by
 * default). Prints the process RSS after a warm-up, right after the churn
 * and after the idle wait, and fails (exit 1) when the RSS after the idle
 * wait is more than 20 % above the warm-up figure.
 *
 * Run: `deno run -A bench/apphost_churn.ts [--churn 1000] [--warmup 50]`
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import * as v from "valibot";
import { createWsgiService } from "../lib/apphost/mod.ts";
import { WsgiServiceSchema } from "../lib/config/_schema/wsgi.ts";
import { SILENT_LOGGER } from "../lib/log/mod.ts";

function option(name: string, fallback: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
}

const CHURN = option("churn", 1000);
const WARMUP = option("warmup", 50);
const EVERY = option("every", 100);
const APPS = fileURLToPath(new URL("../tests/testdata/apps", import.meta.url));

function rssMiB(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const service = await createWsgiService({
  ...v.parse(WsgiServiceSchema, {
    type: "wsgi",
    module: "kitchen",
    object: "handler",
    workers: 1,
  }),
  path: "/",
  cbdir: `${APPS}/.crossbar`,
  pythonpath: [".."],
  display_tracebacks: false,
}, { logger: SILENT_LOGGER });
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen: () => {} },
  (request, info) =>
    service.handle(request, {
      prefix: "",
      rest: new URL(request.url).pathname,
      search: "",
      remoteAddr: info.remoteAddr,
      secure: false,
      get signal() {
        return request.signal;
      },
    }),
);
const origin = `http://127.0.0.1:${server.addr.port}`;

/** One replacement: the worker exits, then a request is served again. */
async function replaceOnce(): Promise<void> {
  const died = await fetch(`${origin}/exit`);
  await died.body?.cancel();
  if (died.status !== 502) throw new Error(`/exit answered ${died.status}`);
  for (;;) {
    const next = await fetch(`${origin}/id`);
    await next.body?.cancel();
    if (next.status === 200) return;
  }
}

for (let i = 0; i < WARMUP; i++) await replaceOnce();
const before = rssMiB();
const started = Date.now();
for (let i = 1; i <= CHURN; i++) {
  await replaceOnce();
  if (i % EVERY === 0) {
    const heap = Deno.memoryUsage().heapUsed / 1048576;
    console.log(
      `… ${i} replacements, RSS ${rssMiB().toFixed(0)} MiB, host heap ${
        heap.toFixed(0)
      } MiB`,
    );
  }
}
const after = rssMiB();
const seconds = (Date.now() - started) / 1000;
await new Promise((r) => setTimeout(r, 5000));
const idle = rssMiB();
const ratio = idle / before;
console.log(
  `worker replacements: ${CHURN} in ${seconds.toFixed(1)} s ` +
    `(${(CHURN / seconds).toFixed(1)}/s)`,
);
console.log(
  `RSS after ${WARMUP} warm-up replacements: ${before.toFixed(0)} MiB`,
);
console.log(`RSS right after the churn: ${after.toFixed(0)} MiB`);
console.log(
  `RSS after 5 s idle: ${idle.toFixed(0)} MiB (${
    ratio.toFixed(2)
  }× warm-up; limit 1.20×)`,
);
await server.shutdown();
await (service as unknown as AsyncDisposable)[Symbol.asyncDispose]();
Deno.exit(ratio <= 1.2 ? 0 : 1);
