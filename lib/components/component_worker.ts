/**
 * Entry module of a component's Web Worker (one per component, with the
 * component's Deno permissions). Lifecycle:
 *
 * 1. `init`: imports the module, picks the export, runs `checkConfig`.
 * 2. Joins the realm over the transferred port (`lib/wamp/client`), wraps
 *    the client as an `AppSession` (`lib/app`), constructs the class and
 *    awaits `onJoin` — or awaits the function — then reports `ready`.
 * 3. The session ends (router shutdown, remote close): `onLeave` or the
 *    cleanup runs, then `left`. A `stop` from the node does the same and
 *    ends with `stopped`.
 * 4. An uncaught error or rejection reports `failed` (phase `run`) with the
 *    stack; `Deno.exit()` and `self.close()` report `exit`.
 *
 * @module
 */
import { createAppSession } from "../app/app_session.ts";
import { messagePortDuplex } from "../wamp/client/duplex.ts";
import { joinRealm } from "../wamp/client/join.ts";
import type { WampClient } from "../wamp/client/wamp_client.ts";
import type { ComponentInit, ComponentReport } from "./_protocol.ts";
import type {
  CheckConfig,
  ComponentClass,
  ComponentCleanup,
  ComponentFunction,
  ComponentInstance,
  JoinDetails,
} from "./types.ts";

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
  addEventListener(type: string, listener: (event: Event) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
const closeWorker = scope.close.bind(scope);
let finished = false;
let client: WampClient | undefined;
let leaving: (() => Promise<void>) | undefined;

function report(message: ComponentReport): void {
  if (!finished) scope.postMessage(message);
}

function fail(
  phase: "load" | "check" | "join" | "run",
  error: unknown,
): void {
  report({
    t: "failed",
    phase,
    message: error instanceof Error ? error.message : String(error),
    stack: error instanceof Error ? error.stack : undefined,
  });
  finished = true;
}

// A component that ends its own worker is reported, not lost.
Object.defineProperty(Deno, "exit", {
  configurable: true,
  writable: true,
  value: (code = 0) => {
    report({ t: "exit", code });
    finished = true;
    closeWorker();
  },
});
scope.close = () => {
  report({ t: "exit", code: 0 });
  finished = true;
  closeWorker();
};
scope.addEventListener("error", (event) => {
  event.preventDefault();
  fail("run", (event as ErrorEvent).error ?? (event as ErrorEvent).message);
  closeWorker();
});
scope.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  fail("run", (event as PromiseRejectionEvent).reason);
  closeWorker();
});

scope.onmessage = (event: MessageEvent) => {
  const message = event.data as ComponentInit | { t: "stop" };
  if (message.t === "init") void start(message);
  else if (message.t === "stop") void stop();
};

async function start(init: ComponentInit): Promise<void> {
  let value: unknown;
  let module: Record<string, unknown>;
  try {
    module = await import(init.specifier);
    value = module[init.exportName];
  } catch (error) {
    return fail("load", error);
  }
  if (typeof value !== "function") {
    const found = Object.keys(module).join(", ") || "none";
    return fail(
      "load",
      new TypeError(
        `"${init.exportName}" is not an exported class or function of the module (exports: ${found})`,
      ),
    );
  }
  const checkConfig = module.checkConfig as CheckConfig | undefined;
  if (typeof checkConfig === "function") {
    try {
      const verdict = await checkConfig(init.config.extra);
      if (typeof verdict === "string") throw new Error(verdict);
    } catch (error) {
      return fail("check", error);
    }
  }
  if (init.check) return report({ t: "checked" });
  if (init.port === undefined) return fail("join", "no WAMP channel");
  try {
    client = await joinRealm(messagePortDuplex(init.port), {
      realm: init.config.realm,
      authmethods: init.authmethods,
    });
  } catch (error) {
    return fail("join", error);
  }
  const session = createAppSession(client);
  const details: JoinDetails = {
    realm: session.realm,
    session: session.sessionId,
    authid: session.authid,
    authrole: session.authrole,
  };
  try {
    leaving = await run(value, session, init, details);
  } catch (error) {
    return fail("join", error);
  }
  report({ t: "ready" });
  const reason = await session.closed;
  if (finished) return;
  await leaving?.().catch((error) => fail("run", error));
  report({ t: "left", reason });
  finished = true;
}

async function run(
  value: unknown,
  session: ReturnType<typeof createAppSession>,
  init: ComponentInit,
  details: JoinDetails,
): Promise<() => Promise<void>> {
  let reason = "wamp.close.normal";
  void session.closed.then((r) => reason = r);
  if (isClass(value)) {
    const instance: ComponentInstance = new value(init.config);
    await instance.onJoin(session, details);
    return async () => {
      await instance.onLeave?.({ reason });
    };
  }
  const cleanup = await (value as ComponentFunction)(session, {
    ...init.config,
    details,
  });
  return async () => {
    if (typeof cleanup === "function") await (cleanup as ComponentCleanup)();
  };
}

function isClass(value: unknown): value is ComponentClass {
  const proto = (value as { prototype?: { onJoin?: unknown } }).prototype;
  return typeof proto?.onJoin === "function";
}

async function stop(): Promise<void> {
  if (!finished) {
    const done = leaving;
    leaving = undefined;
    finished = true;
    await done?.().catch(() => {});
    await client?.close().catch(() => {});
  }
  scope.postMessage({ t: "stopped" } satisfies ComponentReport);
}
