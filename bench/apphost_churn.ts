// deno-lint-ignore-file no-console -- a CLI script: its output is the report
/**
 * Soak of worker replacement (issue 13): hosts the `kitchen` fixture app on
 * a pool of `--workers` workers (4 by default) and sends `/exit` requests
 * from as many clients, each of which kills its worker (502) so that the
 * pool replaces it, `--churn` times in all (1,000 by default). Each worker
 * start waits about 0.5 s in Deno (see the README's security model), so
 * four at a time keep the run short.
 *
 * The script runs every variant in a child process of its own, one after
 * the other in the same run, and prints each one's RSS after a warm-up,
 * right after the churn and after 5 s idle:
 *
 * - `tuned`: as the node runs (all permissions: the host fixes glibc's mmap
 *   threshold, `lib/apphost/_native_memory.ts`);
 * - `glibc`: `--deny-ffi`, so the host cannot, and glibc's defaults apply;
 * - `glibc-arena2`: the same with `MALLOC_ARENA_MAX=2`.
 *
 * It exits 1 when the `tuned` RSS after the idle wait is more than 20 %
 * above its warm-up figure.
 *
 * Run: `deno run -A bench/apphost_churn.ts [--churn 1000] [--warmup 50]
 * [--workers 4] [--only tuned]`
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import * as v from "valibot";
import { createWsgiService } from "../lib/apphost/mod.ts";
import { WsgiServiceSchema } from "../lib/config/_schema/wsgi.ts";
import { SILENT_LOGGER } from "../lib/log/mod.ts";

function option(name: string, fallback: string): string {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Deno.args[at + 1]! : fallback;
}

const CHURN = Number(option("churn", "1000"));
const WARMUP = Number(option("warmup", "50"));
const EVERY = Number(option("every", "100"));
const WORKERS = Number(option("workers", "4"));
const APPS = fileURLToPath(new URL("../tests/testdata/apps", import.meta.url));

/** A way to run the churn: extra `deno run` flags and environment. */
interface Variant {
  name: string;
  flags: string[];
  env: Record<string, string>;
  what: string;
}

const VARIANTS: Variant[] = [
  {
    name: "tuned",
    flags: [],
    env: {},
    what: "as the node runs (host fixes the mmap threshold)",
  },
  {
    name: "glibc",
    flags: ["--deny-ffi"],
    env: {},
    what: "glibc defaults (no FFI, no tuning)",
  },
  {
    name: "glibc-arena2",
    flags: ["--deny-ffi"],
    env: { MALLOC_ARENA_MAX: "2" },
    what: "glibc defaults, MALLOC_ARENA_MAX=2",
  },
];

/** RSS (MiB) at the three marks of one variant, and the churn's duration. */
interface Result {
  before: number;
  after: number;
  idle: number;
  seconds: number;
}

/** A figure of `/proc/<pid>/status` (kB there) in MiB. */
function mib(key: string, text: string): number {
  return Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1]) / 1024;
}

/** Lines of stdin, for the child to wait on its parent's measurement. */
const stdinLines = (async function* () {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of Deno.stdin.readable) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop()!;
    yield* lines;
  }
})();

/**
 * Lets the parent measure this process (it reads `/proc/<pid>/status`, which
 * a child without all permissions may not) and waits until it has.
 */
async function mark(label: string): Promise<void> {
  const heap = Deno.memoryUsage().heapUsed / 1048576;
  console.log(`MARK ${label} ${heap.toFixed(1)}`);
  await stdinLines.next();
}

async function child(): Promise<void> {
  const service = await createWsgiService({
    ...v.parse(WsgiServiceSchema, {
      type: "wsgi",
      module: "kitchen",
      object: "handler",
      workers: WORKERS,
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

  /** One replacement: a worker exits, then a request is served again. */
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

  /** `count` replacements by {@link WORKERS} clients at once. */
  async function churn(count: number, each: (i: number) => void) {
    let started = 0;
    await Promise.all(Array.from({ length: WORKERS }, async () => {
      while (started < count) {
        const i = ++started;
        await replaceOnce();
        each(i);
      }
    }));
  }

  await churn(WARMUP, () => {});
  await mark("before");
  const started = Date.now();
  let progress = Promise.resolve();
  await churn(CHURN, (i) => {
    if (i % EVERY === 0) progress = progress.then(() => mark(`${i}`));
  });
  await progress;
  console.log(`SECONDS ${(Date.now() - started) / 1000}`);
  await mark("after");
  await new Promise((r) => setTimeout(r, 5000));
  await mark("idle");
  await server.shutdown();
  await (service as unknown as AsyncDisposable)[Symbol.asyncDispose]();
}

async function run(variant: Variant): Promise<Result> {
  console.log(`${variant.name}: ${variant.what}`);
  const args = Deno.args.filter((a, i, all) =>
    a !== "--only" && all[i - 1] !== "--only"
  );
  const proc = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...variant.flags,
      fileURLToPath(import.meta.url),
      "--child",
      ...args,
    ],
    env: variant.env,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const ack = proc.stdin.getWriter();
  const marks = new Map<string, number>();
  let seconds = NaN;
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of proc.stdout) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      const [word, label, heap] = line.split(" ");
      if (word === "SECONDS") seconds = Number(label);
      if (word !== "MARK") continue;
      const text = await Deno.readTextFile(`/proc/${proc.pid}/status`);
      marks.set(label!, mib("VmRSS", text));
      const threads = /Threads:\s+(\d+)/.exec(text)?.[1];
      console.log(
        `  ${label!.padStart(6)}: RSS ${mib("VmRSS", text).toFixed(0)} MiB ` +
          `(anonymous ${mib("RssAnon", text).toFixed(0)}), host JS heap ${
            Number(heap).toFixed(0)
          } MiB, ${threads} threads`,
      );
      await ack.write(new TextEncoder().encode("\n"));
    }
  }
  await ack.close().catch(() => {});
  const { code } = await proc.status;
  const [before, after, idle] = ["before", "after", "idle"].map((k) =>
    marks.get(k)
  );
  if (code !== 0 || before === undefined || after === undefined || !idle) {
    throw new Error(`variant ${variant.name} failed (exit ${code})`);
  }
  return { before, after, idle, seconds };
}

if (Deno.args.includes("--child")) {
  await child();
  Deno.exit(0);
}

const only = option("only", "");
const results: [Variant, Result][] = [];
for (const variant of VARIANTS) {
  if (only !== "" && variant.name !== only) continue;
  results.push([variant, await run(variant)]);
}
console.log(
  `\n${CHURN} replacements after ${WARMUP} warm-up ones, ${WORKERS} workers:`,
);
console.log(
  "variant        RSS warm-up   right after   after 5 s idle   ratio   rate",
);
for (const [variant, r] of results) {
  console.log(
    `${variant.name.padEnd(14)} ${r.before.toFixed(0).padStart(7)} MiB ${
      r.after.toFixed(0).padStart(9)
    } MiB ${r.idle.toFixed(0).padStart(12)} MiB ${
      (r.idle / r.before).toFixed(2).padStart(6)
    }× ${(CHURN / r.seconds).toFixed(1).padStart(5)}/s`,
  );
}
const tuned = results.find(([variant]) => variant.name === "tuned")?.[1];
Deno.exit(tuned === undefined || tuned.idle / tuned.before <= 1.2 ? 0 : 1);
