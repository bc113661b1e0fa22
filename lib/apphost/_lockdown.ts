/**
 * Closes the ways out of an app thread that Deno's permissions leave open,
 * before any app code runs. Every replacement is non-configurable and
 * read-only, so the app cannot undo it.
 *
 * - Signals: `Deno.kill` and `process.kill` may not signal the node's own
 *   process or its process group (an app thread shares the node's pid, and
 *   signalling needs no permission for the own pid).
 * - `caches` (CacheStorage) is removed: it writes to one store on disk that
 *   every app would share, outside any granted folder.
 * - `Deno[Deno.internal]` is removed: it exposes the runtime's ops, which
 *   bypass every wrapper above.
 * - `Worker` (Web Workers) is removed: a worker started by the app would
 *   have no heap limit, and exhausting it ends the whole process.
 * - `Deno.cwd()`, `process.cwd()`, `Deno.execPath()` and `process.execPath`
 *   need read access to the path they reveal, as Deno documents for
 *   `--allow-read` (Deno 2.9 does not check it in workers).
 * - Web Lock names starting with `crossbar-deno:` are the host's
 *   ({@link holdTerminationLock}): an app may not request, steal or see
 *   them.
 *
 * @module
 */
import process from "node:process";

/** Thrown when an app tries to signal the node. */
class SignalRefused extends Error {
  override name = "NotCapable";
}

function lock(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    writable: false,
    configurable: false,
    enumerable: false,
  });
}

function guardPid(pid: unknown): void {
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0 || n === Deno.pid || n === Deno.ppid) {
    throw new SignalRefused(
      `An app may not signal the node's process (pid ${String(pid)})`,
    );
  }
}

function lockGetter(target: object, key: PropertyKey, get: () => unknown) {
  Object.defineProperty(target, key, {
    get,
    configurable: false,
    enumerable: true,
  });
}

function hideValue(target: object, key: PropertyKey, value: unknown): void {
  try {
    (target as Record<PropertyKey, unknown>)[key] = value;
    Object.defineProperty(target, key, { writable: false });
  } catch {
    // Neither configurable nor writable: left as it is.
  }
}

/** Returns `path` if the thread may read it, else throws `NotCapable`. */
function revealed(path: string, what: string): string {
  if (Deno.permissions.querySync({ name: "read", path }).state === "granted") {
    return path;
  }
  throw new Deno.errors.NotCapable(
    `${what} needs read access to that path; grant it in the path's "permissions": {"read": [...]}`,
  );
}

/** Prefix of the Web Lock names the host keeps to itself. */
const RESERVED_LOCKS = "crossbar-deno:";

interface LockInfoLike {
  name?: string;
}
interface LockSnapshotLike {
  held?: LockInfoLike[];
  pending?: LockInfoLike[];
}
type LockRequest = (name: string, ...rest: unknown[]) => Promise<unknown>;

interface LockManagerLike {
  request: LockRequest;
  query: () => Promise<LockSnapshotLike>;
}

/** `navigator.locks` (not in Deno 2.9's types). */
const locks = (navigator as unknown as { locks: LockManagerLike }).locks;
const lockManager = Object.getPrototypeOf(locks) as LockManagerLike;
const request = lockManager.request;
const query = lockManager.query;

/**
 * Makes this thread hold a Web Lock until `release` is called or the thread
 * ends. Deno 2.9.6 stops a `node:worker_threads` thread's running
 * JavaScript on `terminate()` only when the thread holds a Web Lock (it then
 * calls V8's `TerminateExecution`, so that the lock cannot be handed on
 * while the thread still runs); without one, a thread stuck in a loop keeps
 * a core busy until the process ends (`bench/apphost_busy_loop.ts`).
 *
 * Interrupting a thread while it loads one of Deno's built-in modules makes
 * Deno panic, ending the process. So the thread takes the lock once the
 * app is loaded, and its supervisor asks it to release the lock before
 * terminating it: only a thread that does not answer (stuck) is terminated
 * with the lock held.
 *
 * @param name The lock's name ({@link terminationLockName}).
 * @returns A function that releases the lock.
 */
export function holdTerminationLock(name: string): () => void {
  let release!: () => void;
  const held = new Promise<void>((resolve) => release = resolve);
  void request.call(locks, name, () => held);
  return release;
}

/**
 * A fresh name for {@link holdTerminationLock}, in the range apps may not
 * use.
 */
export function terminationLockName(): string {
  return `${RESERVED_LOCKS}${crypto.randomUUID()}`;
}

function isReserved(lock: LockInfoLike): boolean {
  return String(lock.name).startsWith(RESERVED_LOCKS);
}

/** Installs the guards (idempotent per thread: the first call wins). */
export function lockDown(): void {
  const cwd = Deno.cwd.bind(Deno);
  const execPath = Deno.execPath.bind(Deno);
  const processCwd = process.cwd.bind(process);
  const exec = execPath();
  lock(Deno, "cwd", () => revealed(cwd(), "Deno.cwd()"));
  lock(process, "cwd", () => revealed(processCwd(), "process.cwd()"));
  lock(Deno, "execPath", () => revealed(execPath(), "Deno.execPath()"));
  try {
    lockGetter(process, "execPath", () => revealed(exec, "process.execPath"));
  } catch {
    // Non-configurable in Deno 2.9: hide the value instead (a string is
    // expected there, so the executable's bare name).
    hideValue(process, "execPath", "deno");
  }
  const kill = Deno.kill.bind(Deno);
  lock(Deno, "kill", (pid: number, signal?: Deno.Signal): void => {
    guardPid(pid);
    kill(pid, signal);
  });
  const processKill = process.kill.bind(process);
  lock(process, "kill", (pid: number, signal?: string | number): true => {
    guardPid(pid);
    return processKill(pid, signal);
  });
  lock(process, "abort", (): never => {
    throw new SignalRefused("An app may not abort the node's process");
  });
  const internal = (Deno as unknown as { internal?: symbol }).internal;
  if (internal !== undefined) lock(Deno, internal, undefined);
  lock(lockManager, "request", function (
    this: unknown,
    name: string,
    ...rest: unknown[]
  ): Promise<unknown> {
    if (String(name).startsWith(RESERVED_LOCKS)) {
      return Promise.reject(
        new DOMException(
          `Web Lock names starting with "${RESERVED_LOCKS}" are reserved for the app host`,
          "NotAllowedError",
        ),
      );
    }
    return request.call(this, name, ...rest);
  });
  lock(lockManager, "query", async function (this: unknown) {
    const snapshot = await query.call(this);
    return {
      held: snapshot.held?.filter((l) => !isReserved(l)) ?? [],
      pending: snapshot.pending?.filter((l) => !isReserved(l)) ?? [],
    };
  });
  lock(globalThis, "caches", undefined);
  lock(globalThis, "Worker", undefined);
}
