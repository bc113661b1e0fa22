/**
 * A single-producer single-consumer byte ring on a SharedArrayBuffer, with an
 * `Atomics.waitAsync` doorbell: the fast path for request and response heads
 * between the main thread and an app worker (see
 * the shared design note `notes/worker-dispatch.md`).
 *
 * Layout: a 64-byte control block of int32 slots, then a power-of-two data
 * area. A record is `int32 length, payload, padding to 4`; a length of -1
 * tells the consumer to wrap to offset 0.
 *
 * @module
 */

const HEAD = 0;
const TAIL = 1;
const SEQ = 2;
const SLEEP = 3;
const CLOSED = 4;
const CTL_BYTES = 64;
const WRAP = -1;
/** Milliseconds a consumer handles records before yielding to other tasks. */
const SLICE_MS = 1;

/** Default data capacity of a ring: 4 MiB. */
export const RING_CAPACITY = 4 * 1024 * 1024;

/**
 * Allocates the shared memory of one ring.
 *
 * @param capacity Data bytes, a power of two.
 */
export function createRing(
  capacity: number = RING_CAPACITY,
): SharedArrayBuffer {
  if (capacity < 1024 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`Ring capacity must be a power of two >= 1024`);
  }
  return new SharedArrayBuffer(CTL_BYTES + capacity);
}

/** The producer end of a ring. */
export class RingWriter {
  #ctl: Int32Array;
  #data: Uint8Array;
  #view: DataView;
  #cap: number;
  #mask: number;
  #head: number;
  #queue: Uint8Array[] = [];
  #retry: ReturnType<typeof setTimeout> | undefined;

  /** Wraps the producer end of `sab`. */
  constructor(sab: SharedArrayBuffer) {
    this.#ctl = new Int32Array(sab, 0, CTL_BYTES / 4);
    this.#cap = sab.byteLength - CTL_BYTES;
    this.#mask = this.#cap - 1;
    this.#data = new Uint8Array(sab, CTL_BYTES, this.#cap);
    this.#view = new DataView(sab, CTL_BYTES, this.#cap);
    this.#head = Atomics.load(this.#ctl, HEAD) >>> 0;
  }

  /** The largest payload one record may carry. */
  get maxRecord(): number {
    return (this.#cap >>> 1) - 8;
  }

  /**
   * Writes one record, or queues a copy of it if the ring is full (retried
   * on a 1 ms timer until the consumer makes room).
   */
  write(payload: Uint8Array): void {
    if (payload.byteLength > this.maxRecord) {
      throw new RangeError(
        `Ring record of ${payload.byteLength} bytes is too big`,
      );
    }
    if (this.#queue.length === 0 && this.#tryWrite(payload)) return;
    this.#queue.push(payload.slice());
    this.#scheduleRetry();
  }

  /** Drops queued records and stops retrying. */
  close(): void {
    this.#queue.length = 0;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  #scheduleRetry(): void {
    if (this.#retry !== undefined) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      while (this.#queue.length > 0 && this.#tryWrite(this.#queue[0]!)) {
        this.#queue.shift();
      }
      if (this.#queue.length > 0) this.#scheduleRetry();
    }, 1);
  }

  #tryWrite(payload: Uint8Array): boolean {
    const len = payload.byteLength;
    const rec = 4 + ((len + 3) & ~3);
    const head = this.#head;
    const used = (head - (Atomics.load(this.#ctl, TAIL) >>> 0)) >>> 0;
    let off = head & this.#mask;
    const skip = off + rec > this.#cap ? this.#cap - off : 0;
    if (used + skip + rec > this.#cap) return false;
    if (skip !== 0) {
      this.#view.setInt32(off, WRAP, true);
      off = 0;
    }
    this.#view.setInt32(off, len, true);
    this.#data.set(payload, off + 4);
    this.#head = (head + skip + rec) >>> 0;
    Atomics.store(this.#ctl, HEAD, this.#head | 0);
    Atomics.add(this.#ctl, SEQ, 1);
    if (Atomics.load(this.#ctl, SLEEP) !== 0) Atomics.notify(this.#ctl, SEQ);
    return true;
  }
}

/**
 * Called for each record with the ring's data view and the payload's
 * offset and length; the bytes are only valid during the call.
 */
export type RecordHandler = (
  data: Uint8Array,
  view: DataView,
  offset: number,
  length: number,
) => void;

/** The consumer end of a ring: a loop that parks on the doorbell. */
export class RingReader {
  #ctl: Int32Array;
  #data: Uint8Array;
  #view: DataView;
  #cap: number;
  #mask: number;
  #onRecord: RecordHandler;
  #onError: (error: unknown) => void;
  #running = false;
  /** Closed here: the shared flag alone could be reset by the other side. */
  #closed = false;
  #channel: MessageChannel | undefined;
  #resume: (() => void) | undefined;

  /**
   * Wraps the consumer end of `sab`; call {@link start} to begin reading.
   * `onError` receives anything `onRecord` throws (the record is skipped).
   */
  constructor(
    sab: SharedArrayBuffer,
    onRecord: RecordHandler,
    onError: (error: unknown) => void,
  ) {
    this.#ctl = new Int32Array(sab, 0, CTL_BYTES / 4);
    this.#cap = sab.byteLength - CTL_BYTES;
    this.#mask = this.#cap - 1;
    this.#data = new Uint8Array(sab, CTL_BYTES, this.#cap);
    this.#view = new DataView(sab, CTL_BYTES, this.#cap);
    this.#onRecord = onRecord;
    this.#onError = onError;
  }

  /** Starts the read loop (idempotent). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  /**
   * Stops the read loop (from either thread); no record is handled after
   * this. Does not wait for the loop: a same-thread `Atomics.waitAsync`
   * wake-up does not keep Deno's event loop alive.
   */
  close(): void {
    this.#closed = true;
    Atomics.store(this.#ctl, CLOSED, 1);
    Atomics.add(this.#ctl, SEQ, 1);
    Atomics.notify(this.#ctl, SEQ);
    if (this.#channel !== undefined) {
      this.#channel.port1.close();
      this.#channel.port2.close();
      this.#channel = undefined;
    }
    this.#resume?.();
  }

  async #loop(): Promise<void> {
    const ctl = this.#ctl;
    while (!this.#closed && Atomics.load(ctl, CLOSED) === 0) {
      const seq = Atomics.load(ctl, SEQ);
      if (!this.#drain(performance.now() + SLICE_MS)) {
        // Out of time with records left (busy handlers): let the started
        // work finish and other tasks run, then go on.
        await this.#nextTask();
        continue;
      }
      Atomics.store(ctl, SLEEP, 1);
      const wait = Atomics.waitAsync(ctl, SEQ, seq);
      if (wait.async) await wait.value;
      // More arrived while draining: let the work it started move on first.
      else await null;
      Atomics.store(ctl, SLEEP, 0);
    }
  }

  /** Resolves in a new macrotask (after all pending microtasks). */
  #nextTask(): Promise<void> {
    if (this.#channel === undefined) {
      this.#channel = new MessageChannel();
      this.#channel.port1.onmessage = () => this.#resume?.();
    }
    const channel = this.#channel;
    return new Promise<void>((resolve) => {
      this.#resume = () => {
        this.#resume = undefined;
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }

  /** Handles records until the ring is empty (true) or `until` (false). */
  #drain(until: number): boolean {
    const ctl = this.#ctl;
    let tail = Atomics.load(ctl, TAIL) >>> 0;
    while (tail !== (Atomics.load(ctl, HEAD) >>> 0)) {
      if (this.#closed || Atomics.load(ctl, CLOSED) !== 0) return true;
      if (performance.now() > until) return false;
      let off = tail & this.#mask;
      let len = this.#view.getInt32(off, true);
      if (len === WRAP) {
        tail = (tail + (this.#cap - off)) >>> 0;
        off = 0;
        len = this.#view.getInt32(0, true);
      }
      // The other side shares this memory: a length that cannot be a
      // record ends the ring instead of being followed.
      if (len < 0 || off + 4 + len > this.#cap) {
        this.close();
        this.#onError(new RangeError(`Corrupt ring record (length ${len})`));
        return true;
      }
      try {
        this.#onRecord(this.#data, this.#view, off + 4, len);
      } catch (error) {
        this.#onError(error);
      }
      tail = (tail + 4 + ((len + 3) & ~3)) >>> 0;
      Atomics.store(ctl, TAIL, tail | 0);
    }
    return true;
  }
}
