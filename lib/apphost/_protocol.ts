/**
 * The wire protocol between the host (main thread) and an app worker.
 *
 * Two channels per worker:
 * - ring records (binary, see `_ring.ts`): request heads with small bodies,
 *   response heads with small bodies, app failures and cancels, in order;
 * - the worker's message port (`postMessage`): startup, body chunks with
 *   byte credit (`_relay.ts`), crash and exit notices.
 *
 * Record layout (little-endian): `u8 kind, u32 id`, then per kind:
 * - REQUEST: `u8 flags, str method, str url, str transport, str host,
 *   u32 port, u32 pairs, (str name, str value)*, [u32 len, bytes]`
 * - RESPONSE: `u8 flags, u16 status, u32 pairs, (str, str)*, [u32 len, bytes]`
 * - FAILURE: `str name, str message, str stack`
 * - CANCEL: nothing more
 *
 * `str` is `u32 byteLength` + UTF-8. The body is present when flags has
 * {@link FLAG_INLINE}; {@link FLAG_STREAM} means it follows as chunks.
 *
 * @module
 */

/** Record kinds. */
export const KIND = {
  REQUEST: 1,
  RESPONSE: 2,
  FAILURE: 3,
  CANCEL: 4,
} as const;

/** The body is inside the record. */
export const FLAG_INLINE = 1;
/** The body follows as relayed chunks. */
export const FLAG_STREAM = 2;

/** Bodies up to this size travel inside a ring record. */
export const INLINE_MAX = 256 * 1024;

/**
 * Request bodies of a known length up to this size are read whole on the
 * host and handed over as one transferred chunk; larger ones stream.
 */
export const BUFFER_MAX = 1024 * 1024;

/** Port messages (host ⇄ worker). `id` is the request id. */
export type PortMessage =
  | { t: "chunk"; id: number; c: ArrayBuffer }
  | { t: "end"; id: number }
  | { t: "error"; id: number; name: string; message: string }
  | { t: "credit"; id: number; n: number }
  | { t: "cancel"; id: number };

/** Sent once by the host right after creating the worker. */
export interface InitMessage {
  t: "init";
  /** Module specifier to import (a `file:` URL or `npm:`/`https:` …). */
  specifier: string;
  /** Export name. */
  object: string;
  /** Ring host → worker. */
  toWorker: SharedArrayBuffer;
  /** Ring worker → host. */
  toHost: SharedArrayBuffer;
  /** Only load and check the app, then stay idle. */
  check: boolean;
  /**
   * Extra named ports handed to the worker at startup (transferred), e.g. a
   * future WAMP session port. The worker keeps them for the app.
   */
  ports: Record<string, MessagePort>;
  /**
   * Name of the Web Lock the app thread holds while it runs its app (set by
   * the supervisor for its thread).
   */
  lockName?: string;
  /** Mount path of the app, for messages. */
  mount: string;
  /** Realm behind `ports.wamp`, when the path has a `wamp` config. */
  wampRealm: string | undefined;
  /** Thread name, for Deno's messages. */
  name: string;
  /** Heap limit of the app thread in MiB (`max_memory`). */
  maxMemoryMb: number;
  /**
   * Folders the worker may read only to load the app thread's own modules;
   * the worker and the thread revoke them before any app code runs.
   */
  revokeRead: string[];
}

/** Host → supervisor: end the app thread, then the worker. */
export type SupervisorMessage = { t: "stop" };

/**
 * Supervisor → app thread before it terminates the thread: give up the
 * termination lock (`holdTerminationLock`, named by `InitMessage.lockName`).
 * The supervisor sees in the lock manager when it is gone; a thread still
 * holding it after a grace period is stuck, and is terminated with it.
 */
export type ReleaseLock = { t: "release_lock" };

/** Why the app could not be loaded, as reported by the worker. */
export interface LoadFailure {
  t: "load_error";
  /** `import`: the import threw; `export`: no such export; `object`: unusable. */
  kind: "import" | "export" | "object";
  name: string;
  message: string;
  /** Export names of the module (kinds `export` and `object`). */
  exports: string[];
  /** `typeof` of the export (kind `object`). */
  type: string;
}

/** Worker → host control messages. */
export type ControlMessage =
  | { t: "ready" }
  | LoadFailure
  | { t: "crash"; name: string; message: string; stack: string }
  | { t: "exit"; code: number }
  | { t: "oom"; limitMb: number }
  | { t: "heap"; bytes: number }
  | { t: "stopped" };

/** Strings up to this length get the pure-JS ASCII fast path. */
const SHORT_STRING = 256;
/** Larger bodies stay bytes (decoding them would cost more than it saves). */
const TEXT_BODY_MAX = 16 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const strictDecoder = new TextDecoder("utf-8", {
  fatal: true,
  ignoreBOM: true,
});

/** Builds records in a growable scratch buffer. */
export class RecordEncoder {
  #buf = new Uint8Array(4096);
  #view = new DataView(this.#buf.buffer);
  #pos = 0;

  /** Starts a record of `kind` for request `id`. */
  begin(kind: number, id: number): this {
    this.#pos = 0;
    this.#view.setUint8(0, kind);
    this.#view.setUint32(1, id, true);
    this.#pos = 5;
    return this;
  }

  /** Appends a byte. */
  u8(v: number): this {
    this.#ensure(1);
    this.#view.setUint8(this.#pos, v);
    this.#pos += 1;
    return this;
  }

  /** Appends a u16. */
  u16(v: number): this {
    this.#ensure(2);
    this.#view.setUint16(this.#pos, v, true);
    this.#pos += 2;
    return this;
  }

  /** Appends a u32. */
  u32(v: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.#pos, v, true);
    this.#pos += 4;
    return this;
  }

  /** Appends a length-prefixed UTF-8 string. */
  str(s: string): this {
    const n = s.length;
    this.#ensure(4 + n * 3);
    const buf = this.#buf;
    const at = this.#pos + 4;
    // Short ASCII strings (methods, header names, most values) are copied in
    // JS: cheaper than a call into the native encoder.
    if (n <= SHORT_STRING) {
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[at + i] = c;
      }
      if (i === n) {
        this.#view.setUint32(this.#pos, n, true);
        this.#pos = at + n;
        return this;
      }
    }
    const { written } = encoder.encodeInto(s, buf.subarray(at));
    this.#view.setUint32(this.#pos, written, true);
    this.#pos = at + written;
    return this;
  }

  /** Appends length-prefixed bytes. */
  bytes(b: Uint8Array): this {
    this.#ensure(4 + b.byteLength);
    this.#view.setUint32(this.#pos, b.byteLength, true);
    this.#buf.set(b, this.#pos + 4);
    this.#pos += 4 + b.byteLength;
    return this;
  }

  /** The current write position (for {@link patchU32}). */
  mark(): number {
    return this.#pos;
  }

  /** Overwrites a u32 written earlier at `at`. */
  patchU32(at: number, v: number): this {
    this.#view.setUint32(at, v, true);
    return this;
  }

  /** The record so far (a view, valid until the next `begin`). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.byteLength) return;
    let size = this.#buf.byteLength * 2;
    while (size < this.#pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
}

/** Reads one record in place (strings and bytes are copied out). */
export class RecordDecoder {
  #data: Uint8Array = new Uint8Array(0);
  #view: DataView = new DataView(new ArrayBuffer(0));
  #pos = 0;
  #end = 0;

  /** Points the decoder at a record; returns its kind. */
  reset(data: Uint8Array, view: DataView, offset: number, len: number): number {
    this.#data = data;
    this.#view = view;
    this.#pos = offset;
    this.#end = offset + len;
    return this.u8();
  }

  /** Reads a byte. */
  u8(): number {
    this.#check(1);
    return this.#view.getUint8(this.#pos++);
  }

  /** Reads a u16. */
  u16(): number {
    this.#check(2);
    const v = this.#view.getUint16(this.#pos, true);
    this.#pos += 2;
    return v;
  }

  /** Reads a u32. */
  u32(): number {
    this.#check(4);
    const v = this.#view.getUint32(this.#pos, true);
    this.#pos += 4;
    return v;
  }

  /** Reads a string. */
  str(): string {
    const n = this.u32();
    this.#check(n);
    const start = this.#pos;
    this.#pos += n;
    const data = this.#data;
    if (n <= SHORT_STRING) {
      let ascii = true;
      for (let i = start; i < start + n; i++) {
        if (data[i]! > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        return String.fromCharCode.apply(
          null,
          data.subarray(start, start + n) as unknown as number[],
        );
      }
    }
    return decoder.decode(data.slice(start, start + n));
  }

  /** Reads bytes into a fresh buffer. */
  bytes(): Uint8Array<ArrayBuffer> {
    const n = this.u32();
    this.#check(n);
    const b = this.#data.slice(this.#pos, this.#pos + n);
    this.#pos += n;
    return b;
  }

  /**
   * Reads a small body as a string if it is valid UTF-8 (`Deno.serve` sends
   * small string bodies faster), else as bytes.
   */
  textOrBytes(): string | Uint8Array<ArrayBuffer> {
    const n = this.u32();
    this.#check(n);
    const start = this.#pos;
    const data = this.#data;
    if (n <= SHORT_STRING) {
      let i = start;
      while (i < start + n && data[i]! <= 0x7f) i++;
      if (i === start + n) {
        this.#pos += n;
        return String.fromCharCode.apply(
          null,
          data.subarray(start, start + n) as unknown as number[],
        );
      }
    }
    const bytes = data.slice(start, start + n);
    this.#pos += n;
    if (n > TEXT_BODY_MAX) return bytes;
    try {
      return strictDecoder.decode(bytes);
    } catch {
      return bytes;
    }
  }

  /** Reads `pairs` name/value pairs. */
  pairs(): [string, string][] {
    const n = this.u32();
    const out: [string, string][] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = [this.str(), this.str()];
    return out;
  }

  #check(n: number): void {
    if (this.#pos + n > this.#end) throw new RangeError("Truncated record");
  }
}

/** Error data that crosses the worker boundary. */
export interface ErrorData {
  name: string;
  message: string;
  stack: string;
}

/** Flattens any thrown value into {@link ErrorData}. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof Error) {
    return {
      name: error.name,
      message: error.message,
      stack: error.stack ?? `${error.name}: ${error.message}`,
    };
  }
  const message = String(error);
  return { name: "Error", message, stack: message };
}
