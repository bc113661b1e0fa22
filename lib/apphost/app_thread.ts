/**
 * Entry module of an app thread: the `node:worker_threads` thread that a
 * supervisor (`app_worker.ts`) starts with a heap limit, and that runs the
 * app. It inherits the supervisor's Deno permissions. Lifecycle:
 *
 * 1. Lock down (`_lockdown.ts`), drop the read access to the library that
 *    only loading this thread needed, install crash and exit guards.
 * 2. `init` (the thread's `workerData`): hand the app API its slot
 *    (`lib/app/host_slot.ts`: mount path and WAMP port), import the app
 *    module, pick the export, check its shape, post `ready` (or
 *    `load_error`); a check-only thread stops here.
 * 3. Hold a Web Lock, so that `terminate()` can stop the thread even in a
 *    loop (`holdTerminationLock`); release it when the supervisor asks
 *    (`release_lock`), before it terminates a thread that still answers.
 * 4. `_worker_app_host.ts`: read request records from the ring, call the
 *    app, write response records; bodies stream over the port.
 *
 * @module
 */
import { holdTerminationLock, lockDown } from "./_lockdown.ts";
import { parentPort, workerData } from "node:worker_threads";
import process from "node:process";
import { toErrorData } from "./_protocol.ts";
import type {
  ControlMessage,
  InitMessage,
  PortMessage,
  ReleaseLock,
} from "./_protocol.ts";
import { toAppHandler } from "./_app_shape.ts";
import { WorkerAppHost } from "./_worker_app_host.ts";
import { installAppHost } from "../app/host_slot.ts";
// Loaded with the thread itself, so that an app importing `crossbar/app`
// finds it in the module map and needs no read access to the library.
import "../app/mod.ts";

lockDown();

const port = parentPort!;
const init = workerData as InitMessage;
/**
 * Where the supervisor's messages come from: a port of their own, because
 * Deno 2.9.6 holds the first message to a thread started by a worker on
 * `parentPort` for 500 ms (a grace period for a debugger).
 */
const fromSupervisor = init.ports.supervisor as unknown as {
  on(event: "message", listener: (message: unknown) => void): void;
};
let appHost: WorkerAppHost | undefined;

for (const dir of init.revokeRead) {
  Deno.permissions.revokeSync({ name: "read", path: dir });
}

let releaseLock: (() => void) | undefined;

fromSupervisor.on("message", (data: unknown) => {
  const message = data as PortMessage | ReleaseLock;
  if (message.t !== "release_lock") return appHost?.onPort(message);
  releaseLock?.();
  releaseLock = undefined;
});

function control(message: ControlMessage): void {
  port.postMessage(message);
}

function reportCrash(error: unknown): void {
  control({ t: "crash", ...toErrorData(error) });
}

process.on("uncaughtException", reportCrash);
process.on("unhandledRejection", reportCrash);

const realExit = Deno.exit;
Object.defineProperty(Deno, "exit", {
  value: (code?: number): never => {
    control({ t: "exit", code: code ?? 0 });
    return realExit(code);
  },
  configurable: false,
  writable: false,
});

async function start(message: InitMessage): Promise<void> {
  const wamp = message.ports.wamp;
  installAppHost({
    path: message.mount,
    wamp: wamp === undefined || message.wampRealm === undefined
      ? undefined
      : { port: wamp, realm: message.wampRealm },
  });
  let module: Record<string, unknown>;
  try {
    module = await import(message.specifier);
  } catch (error) {
    const { name, message: text } = toErrorData(error);
    control({
      t: "load_error",
      kind: "import",
      name,
      message: text,
      exports: [],
      type: "",
    });
    return;
  }
  const exports = Object.keys(module).sort();
  if (!(message.object in module)) {
    control({
      t: "load_error",
      kind: "export",
      name: "",
      message: "",
      exports,
      type: "",
    });
    return;
  }
  const value = module[message.object];
  const handler = toAppHandler(value);
  if (handler === undefined) {
    control({
      t: "load_error",
      kind: "object",
      name: "",
      message: "",
      exports,
      type: value === null ? "null" : typeof value,
    });
    return;
  }
  if (!message.check) {
    appHost = new WorkerAppHost(handler, message, (m, t) => {
      port.postMessage(m, (t ?? []) as never);
    }, control);
    // So that terminate() can stop the app even in an endless loop.
    if (message.lockName !== undefined) {
      releaseLock = holdTerminationLock(message.lockName);
    }
  }
  control({ t: "ready" });
}

void start(init);
