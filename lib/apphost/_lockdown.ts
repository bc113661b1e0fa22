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

/** Installs the guards (idempotent per thread: the first call wins). */
export function lockDown(): void {
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
  lock(globalThis, "caches", undefined);
}
