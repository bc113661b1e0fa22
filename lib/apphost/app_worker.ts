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
import { Worker as ThreadWorker } from "node:worker_threads";
import type {
  ControlMessage,
  InitMessage,
  PortMessage,
  ReleaseLock,
  SupervisorMessage,
} from "./_protocol.ts";

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
let ended = false;
let lockReleased: (() => void) | undefined;
let exited = false;

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
  if (message.t === "chunk") thread?.postMessage(message, [message.c]);
  else thread?.postMessage(message);
};

function start(init: InitMessage): void {
  const wamp = init.ports.wamp;
  const { ports: _, ...data } = init;
  thread = new ThreadWorker(new URL("./app_thread.ts", import.meta.url), {
    name: init.name,
    workerData: { ...data, ports: wamp === undefined ? {} : { wamp } },
    transferList: (wamp === undefined ? [] : [wamp]) as never,
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
    if ((message as { t?: unknown }).t === "lock_released") {
      return lockReleased?.();
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

/** Asks the thread to give up its lock; resolves when it has, or in time. */
function releaseLock(): Promise<void> {
  if (thread === undefined) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, RELEASE_GRACE_MS);
    lockReleased = () => {
      clearTimeout(timer);
      resolve();
    };
    thread!.postMessage({ t: "release_lock" } satisfies ReleaseLock);
  });
}

async function stop(): Promise<void> {
  ended = true;
  try {
    if (!exited) await releaseLock();
    await thread?.terminate();
  } finally {
    scope.postMessage({ t: "stopped" });
    scope.close();
  }
}
