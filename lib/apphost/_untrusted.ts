/**
 * Checks of what an app worker posts to the host. Everything that crosses
 * from a worker is untrusted: app code can post on the worker's port
 * itself. A message that fails a check is a protocol violation; the host
 * answers it by replacing that worker.
 *
 * @module
 */
import type { ControlMessage, PortMessage } from "./_protocol.ts";

/** Most bytes of a name or message string kept from a worker. */
const TEXT_MAX = 64 * 1024;

/** The result of {@link checkWorkerMessage}. */
export type Checked =
  | { ok: true; message: ControlMessage | PortMessage }
  | { ok: false; problem: string };

function isId(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 &&
    v <= 0xffffffff;
}

function isText(v: unknown): v is string {
  return typeof v === "string" && v.length <= TEXT_MAX;
}

/**
 * Validates one message from a worker.
 *
 * @param value The posted value, as received.
 * @returns The message, or what is wrong with it.
 *
 * @example A forged chunk
 * ```ts
 * import { checkWorkerMessage } from "./_untrusted.ts";
 * const r = checkWorkerMessage({ t: "chunk", id: 1, c: -1 });
 * if (r.ok) throw new Error("accepted a forged chunk");
 * ```
 */
export function checkWorkerMessage(value: unknown): Checked {
  if (typeof value !== "object" || value === null) {
    return { ok: false, problem: `a ${typeof value} instead of a message` };
  }
  const m = value as Record<string, unknown>;
  const bad = (what: string): Checked => ({
    ok: false,
    problem: `message "${String(m.t).slice(0, 40)}" with ${what}`,
  });
  switch (m.t) {
    case "ready":
    case "stopped":
      return { ok: true, message: { t: m.t } };
    case "exit":
      return typeof m.code === "number"
        ? { ok: true, message: { t: "exit", code: m.code } }
        : bad("a non-numeric code");
    case "heap":
      return typeof m.bytes === "number" && m.bytes >= 0
        ? { ok: true, message: { t: "heap", bytes: m.bytes } }
        : bad("an invalid size");
    case "oom":
      return typeof m.limitMb === "number"
        ? { ok: true, message: { t: "oom", limitMb: m.limitMb } }
        : bad("a non-numeric limit");
    case "crash":
      return isText(m.name) && isText(m.message) && isText(m.stack)
        ? {
          ok: true,
          message: {
            t: "crash",
            name: m.name,
            message: m.message,
            stack: m.stack,
          },
        }
        : bad("invalid error fields");
    case "load_error": {
      const kinds = ["import", "export", "object"];
      const exports = m.exports;
      if (
        !kinds.includes(m.kind as string) || !isText(m.name) ||
        !isText(m.message) || !isText(m.type) || !Array.isArray(exports) ||
        exports.length > 10_000 || !exports.every(isText)
      ) return bad("invalid fields");
      return {
        ok: true,
        message: {
          t: "load_error",
          kind: m.kind as "import" | "export" | "object",
          name: m.name,
          message: m.message,
          exports: [...exports],
          type: m.type,
        },
      };
    }
  }
  if (!isId(m.id)) return bad("an invalid request id");
  const id = m.id;
  switch (m.t) {
    case "chunk":
      return m.c instanceof ArrayBuffer && m.c.byteLength > 0
        ? { ok: true, message: { t: "chunk", id, c: m.c } }
        : bad("a chunk that is not a non-empty ArrayBuffer");
    case "end":
    case "cancel":
      return { ok: true, message: { t: m.t, id } };
    case "credit":
      return typeof m.n === "number" && Number.isSafeInteger(m.n) && m.n > 0
        ? { ok: true, message: { t: "credit", id, n: m.n } }
        : bad("an invalid credit");
    case "error":
      return isText(m.name) && isText(m.message)
        ? {
          ok: true,
          message: { t: "error", id, name: m.name, message: m.message },
        }
        : bad("invalid error fields");
  }
  return bad("an unknown type");
}
