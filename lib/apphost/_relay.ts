/**
 * Body streaming across the worker boundary with a byte-credit window: the
 * receiver grants credit, the sender only posts chunks while it has credit,
 * so neither thread ever holds more than about one window of a body.
 *
 * Used both ways: the host sends request bodies, the worker sends response
 * bodies.
 *
 * @module
 */
import type { PortMessage } from "./_protocol.ts";

/** Bytes a receiver lets the sender have in flight. */
export const CREDIT_WINDOW = 1024 * 1024;

/** Posts one port message, transferring `transfer`. */
export type Post = (message: PortMessage, transfer?: Transferable[]) => void;

/** Receives a relayed body and exposes it as a `ReadableStream`. */
export class StreamReceiver {
  /** The body as the consumer sees it. */
  readonly stream: ReadableStream<Uint8Array>;
  #id: number;
  #post: Post;
  #onDone: () => void;
  #queue: Uint8Array[] = [];
  #wake: (() => void) | undefined;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  #ended = false;
  #finished = false;
  #unacked = 0;
  #granted = 0;
  #received = 0;

  /**
   * @param id Request id.
   * @param post Posts credit and cancel messages to the sender.
   * @param onDone Called once when the stream closed, failed or was cancelled.
   */
  constructor(id: number, post: Post, onDone: () => void) {
    this.#id = id;
    this.#post = post;
    this.#onDone = onDone;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: (controller) => this.#pull(controller),
      cancel: () => {
        if (this.#finish()) this.#post({ t: "cancel", id: this.#id });
      },
    }, { highWaterMark: 0 });
  }

  /** Grants the first window. */
  start(): void {
    this.#grant(CREDIT_WINDOW);
  }

  /**
   * A chunk arrived.
   *
   * @returns `false` when the sender had no credit left when it sent it (a
   * sender only sends while it has credit): a protocol violation.
   */
  push(buffer: ArrayBuffer): boolean {
    if (this.#received >= this.#granted) return false;
    this.#received += buffer.byteLength;
    if (this.#finished) return true;
    this.#queue.push(new Uint8Array(buffer));
    this.#wakeUp();
    return true;
  }

  #grant(n: number): void {
    this.#granted += n;
    this.#post({ t: "credit", id: this.#id, n });
  }

  /** The sender finished. */
  end(): void {
    this.#ended = true;
    this.#wakeUp();
  }

  /** The body failed: the consumer's next read rejects with `error`. */
  fail(error: unknown): void {
    if (!this.#finish()) return;
    this.#queue.length = 0;
    try {
      this.#controller?.error(error);
    } catch {
      // The stream was already closed or errored.
    }
    this.#wakeUp();
  }

  async #pull(
    controller: ReadableStreamDefaultController<Uint8Array>,
  ): Promise<void> {
    while (this.#queue.length === 0 && !this.#ended && !this.#finished) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      controller.enqueue(chunk);
      this.#unacked += chunk.byteLength;
      if (this.#unacked >= CREDIT_WINDOW / 2 && !this.#ended) {
        this.#grant(this.#unacked);
        this.#unacked = 0;
      }
      return;
    }
    if (this.#finish()) controller.close();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #finish(): boolean {
    if (this.#finished) return false;
    this.#finished = true;
    this.#onDone();
    return true;
  }
}

/** Options for {@link StreamSender}. */
export interface StreamSenderOptions {
  /** Copy each chunk before transferring it (the producer may reuse it). */
  copy: boolean;
  /** Stop after this many bytes and call `onLimit`. */
  limit?: number | undefined;
  /** Called when `limit` is exceeded (nothing more is sent). */
  onLimit?: (() => void) | undefined;
}

/** Reads a local body and relays it to a {@link StreamReceiver}. */
export class StreamSender {
  #id: number;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #post: Post;
  #options: StreamSenderOptions;
  #credit = 0;
  #total = 0;
  #wake: (() => void) | undefined;
  #stopped = false;

  /**
   * @param id Request id.
   * @param reader The body to relay.
   * @param post Posts chunk, end and error messages.
   */
  constructor(
    id: number,
    reader: ReadableStreamDefaultReader<Uint8Array>,
    post: Post,
    options: StreamSenderOptions,
  ) {
    this.#id = id;
    this.#reader = reader;
    this.#post = post;
    this.#options = options;
  }

  /**
   * The receiver consumed `n` bytes. Credit never exceeds the window,
   * whatever a (hostile) receiver grants.
   */
  grant(n: number): void {
    this.#credit = Math.min(this.#credit + n, CREDIT_WINDOW);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Stops relaying and cancels the local body (idempotent). */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#reader.cancel().catch(() => {});
    this.grant(0);
  }

  /**
   * Relays until the body ends, fails or {@link stop} is called.
   *
   * @param first Chunks already read from the body.
   * @param pending A read already started on the body.
   */
  async run(
    first: Uint8Array[] = [],
    pending?: Promise<ReadableStreamReadResult<Uint8Array>>,
  ): Promise<void> {
    for (const chunk of first) await this.#send(chunk);
    while (!this.#stopped) {
      try {
        const result = await (pending ?? this.#reader.read());
        pending = undefined;
        if (this.#stopped) return;
        if (result.done) {
          this.#stopped = true;
          this.#post({ t: "end", id: this.#id });
          return;
        }
        if (!(result.value instanceof Uint8Array)) {
          throw new TypeError("Body chunks must be Uint8Array");
        }
        await this.#send(result.value);
      } catch (error) {
        if (this.#stopped) return;
        this.stop();
        const { name, message } = error instanceof Error
          ? error
          : { name: "Error", message: String(error) };
        this.#post({ t: "error", id: this.#id, name, message });
        return;
      }
    }
  }

  async #send(chunk: Uint8Array): Promise<void> {
    const n = chunk.byteLength;
    if (n === 0) return;
    this.#total += n;
    const limit = this.#options.limit;
    if (limit !== undefined && this.#total > limit) {
      this.stop();
      this.#options.onLimit?.();
      return;
    }
    while (this.#credit <= 0 && !this.#stopped) {
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    if (this.#stopped) return;
    const buffer = ownBuffer(chunk, this.#options.copy);
    this.#credit -= n;
    this.#post({ t: "chunk", id: this.#id, c: buffer }, [buffer]);
  }
}

function ownBuffer(chunk: Uint8Array, copy: boolean): ArrayBuffer {
  const buffer = chunk.buffer;
  if (
    !copy && buffer instanceof ArrayBuffer && chunk.byteOffset === 0 &&
    chunk.byteLength === buffer.byteLength
  ) {
    return buffer;
  }
  return chunk.slice().buffer;
}
