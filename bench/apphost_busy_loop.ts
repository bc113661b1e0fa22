// deno-lint-ignore-file no-console -- a CLI script: its output is the report
/**
 * Experiment (issue 13): can Deno stop JavaScript stuck in `for (;;) {}`?
 * An app thread that loops is replaced by its pool (its request gets 504),
 * but whether its CPU is given back depends on this. Each case starts a
 * loop, checks that the process burns about one core, ends it the way the
 * case says, waits 3 s (Deno kills a terminated worker's isolate 2 s after
 * `terminate()`), and measures the process's CPU use over the next 2 s
 * (utime + stime from `/proc/self/stat`):
 *
 * - `thread`: a `node:worker_threads` thread, `await thread.terminate()`;
 * - `web-worker`: a Web Worker, `worker.terminate()`;
 * - `nested-outer`: a thread inside a Web Worker (the app host's layout),
 *   the outer worker terminated;
 * - `nested-inner`: the same, the thread terminated from inside its Web
 *   Worker first, then the Web Worker;
 * - `thread-lock`, `nested-lock`: as `thread` and `nested-inner`, the
 *   thread holding a Web Lock while it loops (what app threads do,
 *   `holdTerminationLock` in `lib/apphost/_lockdown.ts`).
 *
 * With Deno 2.9.6 every case without a lock keeps burning a core
 * (upstream: the open denoland/deno#35657 reports the same for Web Workers
 * in 2.9.4); with a lock, Deno interrupts the thread (it does so to hand
 * the lock on safely) and the thread ends. Each case runs in a process of
 * its own, so one stuck loop does not skew the next.
 *
 * Run: `deno run -A bench/apphost_busy_loop.ts`
 *
 * @module
 */
import { Worker as ThreadWorker } from "node:worker_threads";
import { fileURLToPath } from "node:url";

const CASES = [
  "thread",
  "web-worker",
  "nested-outer",
  "nested-inner",
  "thread-lock",
  "nested-lock",
];

/** CPU seconds (utime + stime) of each thread of this process, by tid. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const { name } of Deno.readDirSync("/proc/self/task")) {
    try {
      const stat = Deno.readTextFileSync(`/proc/self/task/${name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(name, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
}

/** CPU seconds each thread used over the next `ms` milliseconds. */
async function usedOver(ms: number): Promise<Map<string, number>> {
  const before = threadCpu();
  await new Promise((r) => setTimeout(r, ms));
  const used = new Map<string, number>();
  for (const [tid, cpu] of threadCpu()) {
    used.set(tid, cpu - (before.get(tid) ?? 0));
  }
  return used;
}

const LOOP = "postMessage('looping'); for (;;) {}";
const THREAD_LOOP = "require('node:worker_threads').parentPort" +
  ".postMessage('looping'); for (;;) {}";
const LOCKED_LOOP = "navigator.locks.request('held', () => {" +
  THREAD_LOOP + "});";
const supervisor = (loop: string) => `
import { Worker } from "node:worker_threads";
const thread = new Worker(${JSON.stringify(loop)}, { eval: true });
thread.on("message", () => postMessage("looping"));
onmessage = async () => {
  await thread.terminate();
  postMessage("terminated");
};
`;

function moduleUrl(source: string): string {
  return URL.createObjectURL(
    new Blob([source], { type: "application/javascript" }),
  );
}

function nextMessage(worker: Worker): Promise<unknown> {
  return new Promise((resolve) => {
    worker.onmessage = (event) => resolve(event.data);
  });
}

/** Starts the loop of `name`; resolves with the function that ends it. */
async function start(name: string): Promise<() => Promise<void>> {
  const locked = name.endsWith("-lock");
  if (name.startsWith("thread")) {
    const thread = new ThreadWorker(locked ? LOCKED_LOOP : THREAD_LOOP, {
      eval: true,
    });
    await new Promise((r) => thread.once("message", r));
    return async () => void await thread.terminate();
  }
  const source = name === "web-worker"
    ? LOOP
    : supervisor(locked ? LOCKED_LOOP : THREAD_LOOP);
  const worker = new Worker(moduleUrl(source), { type: "module" });
  await nextMessage(worker);
  return async () => {
    if (name === "nested-inner" || name === "nested-lock") {
      const done = nextMessage(worker);
      worker.postMessage("terminate");
      await done;
    }
    worker.terminate();
  };
}

async function runCase(name: string): Promise<void> {
  const end = await start(name);
  // The looping thread is the one that used the most CPU meanwhile.
  const [tid, looping] = [...(await usedOver(1000))]
    .sort((a, b) => b[1] - a[1])[0]!;
  await end();
  await new Promise((r) => setTimeout(r, 3000));
  const after = (await usedOver(2000)).get(tid);
  console.log(
    `${name.padEnd(13)} loop thread ${tid}: ${looping.toFixed(2)} CPU s ` +
      `in 1 s while looping; ${
        after === undefined
          ? "gone 3 s after terminate (stopped)"
          : `${after.toFixed(2)} CPU s in 2 s from 3 s after terminate (${
            after > 0.05 ? "still running" : "stopped"
          })`
      }`,
  );
}

if (Deno.args[0] === "--case") {
  await runCase(Deno.args[1]!);
  Deno.exit(0);
}
console.log(`Deno ${Deno.version.deno}: terminating a busy loop`);
for (const name of CASES) {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fileURLToPath(import.meta.url), "--case", name],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) console.log(`${name}: failed (exit ${code})`);
}
