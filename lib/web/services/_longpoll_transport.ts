/**
 * One long-poll WAMP transport: the router's {@link Transport} on one side,
 * `send`/`receive` HTTP requests on the other. Outgoing messages queue
 * until a `receive` takes them; a `receive` with nothing queued is held
 * until a message comes or the request timeout passes.
 *
 * @module
 */
import type { Codec } from "../../wamp/codecs/codec.ts";
import {
  droppedMessageText,
  type Transport,
  type TransportHandler,
  type TransportInfo,
  type WampMessage,
} from "../../wamp/transport.ts";
import type { Logger } from "../../log/logger.ts";

const utf8 = new TextEncoder();

/** What a held `receive` is answered with. */
export type ReceiveResult =
  | { readonly kind: "messages"; readonly body: Uint8Array }
  | { readonly kind: "idle" }
  | { readonly kind: "closed" };

/** Options of a {@link LongPollTransport}. */
export interface LongPollTransportOptions {
  /** The transport id (the URL segment). */
  readonly id: string;
  /** The negotiated serialization. */
  readonly codec: Codec;
  /** Connection facts for the router. */
  readonly info: TransportInfo;
  /** Where dropped messages are logged. */
  readonly logger: Logger;
}

/** The router's handle on one long-poll session. */
export class LongPollTransport implements Transport {
  /** Connection facts for the router. */
  readonly info: TransportInfo;
  /** The transport id. */
  readonly id: string;
  /** The negotiated serialization. */
  readonly codec: Codec;
  #logger: Logger;
  #handler: TransportHandler | undefined;
  #queue: Uint8Array[] = [];
  #waiting: ((result: ReceiveResult) => void) | undefined;
  #closed = false;
  /** `Date.now()` of the last send or receive. */
  lastActive = Date.now();

  /** @param options Id, codec, info and logger. */
  constructor(options: LongPollTransportOptions) {
    this.id = options.id;
    this.codec = options.codec;
    this.info = options.info;
    this.#logger = options.logger;
  }

  /** Whether the router closed this transport. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a `receive` is being held. */
  get polling(): boolean {
    return this.#waiting !== undefined;
  }

  /** Sets the router's handler. */
  start(handler: TransportHandler): void {
    this.#handler = handler;
  }

  /** Queues one message for the next `receive`. Never throws. */
  send(message: WampMessage): void {
    if (this.#closed) return;
    let frame: string | Uint8Array;
    try {
      frame = this.codec.encode(message);
    } catch (error) {
      this.#logger.warn(droppedMessageText(message, this.info.peer, error));
      return;
    }
    this.#queue.push(typeof frame === "string" ? utf8.encode(frame) : frame);
    this.#deliver();
  }

  /**
   * The router closes the session: what is queued (GOODBYE, ABORT) is
   * still handed to the next `receive`, then receives get "closed".
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#deliver();
  }

  /**
   * Decodes the body of a `send` request and hands its messages to the
   * router.
   *
   * @throws {CodecError} When the body is not a valid message (or batch).
   */
  receiveFromClient(body: Uint8Array): void {
    this.lastActive = Date.now();
    const data = this.codec.binary ? body : new TextDecoder().decode(body);
    const messages = this.codec.batched
      ? this.codec.decodeBatch(data)
      : [this.codec.decode(data)];
    for (const message of messages) {
      if (this.#closed) return;
      this.#handler?.onMessage(message);
    }
  }

  /**
   * Answers a `receive` request: queued messages at once (one, or all on a
   * batched protocol), otherwise when one comes, "idle" after
   * `timeoutMs` (0: never) or when `signal` aborts.
   */
  poll(timeoutMs: number, signal: AbortSignal): Promise<ReceiveResult> {
    this.lastActive = Date.now();
    // A newer poll replaces an older one (the client gave up on it).
    this.#waiting?.({ kind: "idle" });
    this.#waiting = undefined;
    const now = this.#take();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (result: ReceiveResult) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        if (this.#waiting === done) this.#waiting = undefined;
        this.lastActive = Date.now();
        resolve(result);
      };
      const onAbort = () => done({ kind: "idle" });
      if (timeoutMs > 0) timer = setTimeout(onAbort, timeoutMs);
      signal.addEventListener("abort", onAbort, { once: true });
      this.#waiting = done;
    });
  }

  /** The client is gone or timed out: tell the router once. */
  drop(): void {
    this.#closed = true;
    this.#queue = [];
    this.#waiting?.({ kind: "closed" });
    this.#waiting = undefined;
    const handler = this.#handler;
    this.#handler = undefined;
    handler?.onClose();
  }

  #deliver(): void {
    const waiting = this.#waiting;
    if (waiting === undefined) return;
    const result = this.#take();
    if (result !== undefined) waiting(result);
  }

  #take(): ReceiveResult | undefined {
    if (this.#queue.length === 0) {
      return this.#closed ? { kind: "closed" } : undefined;
    }
    if (!this.codec.batched) {
      return { kind: "messages", body: this.#queue.shift()! };
    }
    const parts = this.#queue;
    this.#queue = [];
    let length = 0;
    for (const part of parts) length += part.length;
    const body = new Uint8Array(length);
    let offset = 0;
    for (const part of parts) {
      body.set(part, offset);
      offset += part.length;
    }
    return { kind: "messages", body };
  }
}
