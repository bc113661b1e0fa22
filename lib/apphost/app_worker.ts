/**
 * Entry module of an app worker (one per pool slot). Lifecycle:
 *
 * 1. `app_worker.ts`: install crash and exit guards, listen for `init`.
 * 2. `init`: hand the app API its slot (`lib/app/host_slot.ts`: mount
 *    path and WAMP port), import the app module, pick the export, check
 *    its shape, post
 *    `ready` (or `load_error`); a check-only worker stops here.
 * 3. `_worker_app_host.ts`: read request records from the ring, call the
 *    app, write response records; bodies stream over the port.
 *
 * @module
 */
import { toErrorData } from "./_protocol.ts";
import type { ControlMessage, InitMessage, PortMessage } from "./_protocol.ts";
import { toAppHandler } from "./_app_shape.ts";
import { WorkerAppHost } from "./_worker_app_host.ts";
import { installAppHost } from "../app/host_slot.ts";
// Loaded with the worker itself, so that an app importing `crossbar/app`
// finds it in the module map and needs no read access to the library.
import "../app/mod.ts";

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
  addEventListener(
    type: "error" | "unhandledrejection",
    listener: (event: Event & { error?: unknown; reason?: unknown }) => void,
  ): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;
let appHost: WorkerAppHost | undefined;

scope.onmessage = (event: MessageEvent) => {
  const message = event.data as InitMessage | PortMessage;
  if (message.t === "init") void init(message);
  else appHost?.onPort(message);
};

function control(message: ControlMessage): void {
  scope.postMessage(message);
}

function reportCrash(error: unknown): void {
  control({ t: "crash", ...toErrorData(error) });
}

scope.addEventListener("error", (event) => {
  event.preventDefault();
  reportCrash(event.error);
});
scope.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  reportCrash(event.reason);
});

const realExit = Deno.exit;
const realClose = scope.close.bind(scope);
Object.defineProperty(Deno, "exit", {
  value: (code?: number): never => {
    control({ t: "exit", code: code ?? 0 });
    return realExit(code);
  },
  configurable: true,
  writable: true,
});
scope.close = () => {
  control({ t: "exit", code: 0 });
  realClose();
};

async function init(message: InitMessage): Promise<void> {
  const port = message.ports.wamp;
  installAppHost({
    path: message.mount,
    wamp: port === undefined || message.wampRealm === undefined
      ? undefined
      : { port, realm: message.wampRealm },
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
      scope.postMessage(m, t ?? []);
    });
  }
  control({ t: "ready" });
}
