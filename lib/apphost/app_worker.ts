/**
 * Entry module of an app worker (one per pool slot): a Web Worker with the
 * path's Deno permissions that only supervises. It starts the app in a
 * `node:worker_threads` thread (`app_thread.ts`) with a heap limit
 * (`max_memory`): Deno's Web Workers have no heap limit, and a heap
 * exhausted in a Web Worker ends the whole process, while a thread with
 * `resourceLimits` ends alone with `ERR_WORKER_OUT_OF_MEMORY`. The thread
 * inherits this worker's permissions. Requests travel on the rings, which
 * the thread reads directly; this worker forwards port messages (bodies,
 * credit, control) both ways and reports the thread's end.
 *
 * @module
 */
import {
  MessageChannel,
  type MessagePort as ThreadPort,
  Worker as ThreadWorker,
} from "node:worker_threads";
import type {
  ControlMessage,
  InitMessage,
  PortMessage,
  ReleaseLock,
  SupervisorMessage,
} from "./_protocol.ts";
import { terminationLockName } from "./_lockdown.ts";

/**
 * How long a thread may take to give up its termination lock before it is
 * taken for stuck and terminated with it (which interrupts a loop). Below
 * the host's grace for the whole stop (`STOP_GRACE_MS`).
 */
const RELEASE_GRACE_MS = 1000;

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;
let thread: ThreadWorker | undefined;
/**
 * This worker's end of the thread's own channel: Deno 2.9.6 holds the first
 * message to a thread started by a worker on `thread.postMessage` for
 * 500 ms (a grace period for a debugger); a port of its own has none.
 */
let toThread: ThreadPort | undefined;
let ended = false;
let exited = false;
let lockName: string | undefined;

function control(message: ControlMessage): void {
  if (ended) return;
  if (message.t === "crash" || message.t === "exit" || message.t === "oom") {
    ended = true;
  }
  scope.postMessage(message);
}

scope.onmessage = (event: MessageEvent) => {
  const message = event.data as InitMessage | PortMessage | SupervisorMessage;
  if (message.t === "init") return start(message);
  if (message.t === "stop") return void stop();
  if (message.t === "chunk") toThread?.postMessage(message, [message.c]);
  else toThread?.postMessage(message);
};

function start(init: InitMessage): void {
  const wamp = init.ports.wamp;
  const { ports: _, ...data } = init;
  lockName = terminationLockName();
  const channel = new MessageChannel();
  toThread = channel.port1;
  // Nothing is expected from the thread on this port: whatever comes is
  // dropped, not queued.
  toThread.on("message", () => {});
  const ports = { supervisor: channel.port2, ...(wamp ? { wamp } : {}) };
  thread = new ThreadWorker(new URL("./app_thread.ts", import.meta.url), {
    name: init.name,
    workerData: { ...data, ports, lockName },
    transferList: Object.values(ports) as never,
    resourceLimits: { maxOldGenerationSizeMb: init.maxMemoryMb },
    stdout: false,
    stderr: false,
  });
  let revoked = false;
  thread.on("message", (message: unknown) => {
    // The thread runs, so its modules are loaded: the library access that
    // loading needed can go.
    if (!revoked) {
      revoked = true;
      for (const dir of init.revokeRead) {
        Deno.permissions.revokeSync({ name: "read", path: dir });
      }
    }
    if (typeof message !== "object" || message === null) {
      return scope.postMessage(message);
    }
    const c = (message as { c?: unknown }).c;
    scope.postMessage(message, c instanceof ArrayBuffer ? [c] : []);
  });
  thread.on("error", (error: Error & { code?: string }) => {
    if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
      return control({ t: "oom", limitMb: init.maxMemoryMb });
    }
    control({
      t: "crash",
      name: error.name,
      message: error.message,
      stack: error.stack ?? "",
    });
  });
  thread.on("exit", (code: number) => {
    exited = true;
    control({ t: "exit", code });
  });
}

/** The lock manager (this worker runs no app code: its own, unpatched). */
const locks = (navigator as unknown as {
  locks: { query(): Promise<{ held?: { name?: string }[] }> };
}).locks;

/**
 * Asks the thread to give up its lock, and resolves once the lock manager
 * shows it gone (the thread's word is not taken), the thread has exited,
 * or {@link RELEASE_GRACE_MS} have passed.
 */
async function releaseLock(): Promise<void> {
  if (thread === undefined || lockName === undefined) return;
  toThread?.postMessage({ t: "release_lock" } satisfies ReleaseLock);
  const deadline = Date.now() + RELEASE_GRACE_MS;
  while (!exited && Date.now() < deadline) {
    const { held = [] } = await locks.query();
    if (!held.some((lock) => lock.name === lockName)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function stop(): Promise<void> {
  ended = true;
  try {
    await releaseLock();
    await thread?.terminate();
  } finally {
    scope.postMessage({ t: "stopped" });
    scope.close();
  }
}
