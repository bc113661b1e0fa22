/**
 * Adapts a server-side `WebSocket` (from `Deno.upgradeWebSocket`) and a
 * {@link Codec} to the router's {@link Transport} seam.
 *
 * Connection lifecycle:
 * 1. `lib/web/services/websocket_service.ts` negotiates the subprotocol and
 *    upgrades the request.
 * 2. It creates a {@link WebSocketTransport}, calls `router.attach()` and hands
 *    the returned handler to {@link WebSocketTransport.start}.
 * 3. Each frame is size-checked and decoded here; every message goes to
 *    `handler.onMessage`. A bad frame goes to `handler.onProtocolError`
 *    (the router answers ABORT and closes).
 * 4. When the socket closes, `handler.onClose` runs once.
 *
 * @module
 */
import type { Codec } from "./codecs/codec.ts";
import {
  droppedMessageText,
  type Transport,
  type TransportHandler,
  type TransportInfo,
  type WampMessage,
} from "./transport.ts";
import type { Logger } from "../log/logger.ts";

/** WebSocket close code for a message over the size limit. */
export const CLOSE_MESSAGE_TOO_BIG = 1009;

/** WebSocket close code for a peer that does not read what it is sent. */
export const CLOSE_SLOW_CONSUMER = 1008;

/** Default cap on bytes queued for a peer that is not reading. */
export const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/** WAMP message type code of EVENT, whose frames are shared on fan-out. */
const EVENT = 36;

/** Options for {@link WebSocketTransport}. */
export interface WebSocketTransportOptions {
  /** The negotiated serialization. */
  codec: Codec;
  /** Connection facts passed to the router. */
  info: TransportInfo;
  /** Largest accepted message in bytes; 0 means no limit. @default {0} */
  maxMessageSize?: number;
  /**
   * Bytes that may queue for a peer that is not reading before the
   * connection is closed (1008) instead of growing memory without bound;
   * checked before each send, so a single larger message still goes out.
   * 0 means no limit. @default {32 MiB}
   */
  maxBufferedBytes?: number;
  /** Where to report dropped outgoing messages. */
  logger?: Logger;
}

/** Per codec: the encoded frame of each EVENT array sent to many peers. */
const FRAME_CACHE = new Map<Codec, WeakMap<WampMessage, string | Uint8Array>>();

function frameCache(codec: Codec): WeakMap<WampMessage, string | Uint8Array> {
  let cache = FRAME_CACHE.get(codec);
  if (cache === undefined) {
    cache = new WeakMap();
    FRAME_CACHE.set(codec, cache);
  }
  return cache;
}

const utf8 = new TextEncoder();

/** UTF-8 length of `text`, or a number above `limit` once that is certain. */
function textSize(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length;
  if (text.length > limit) return text.length;
  return utf8.encode(text).length;
}

/** Concatenates batched frames (each already carries its own framing). */
function joinFrames(frames: (string | Uint8Array)[]): string | Uint8Array {
  if (frames.length === 1) return frames[0]!;
  if (typeof frames[0] === "string") return frames.join("");
  const parts = frames as Uint8Array[];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Closes a socket, falling back to a plain close for a refused code. */
function closeSocket(socket: WebSocket, code: number, reason: string): void {
  try {
    socket.close(code, reason.slice(0, 120));
  } catch {
    try {
      socket.close();
    } catch { /* already gone */ }
  }
}

/** A WAMP transport over one server-side WebSocket. */
export class WebSocketTransport implements Transport {
  /** Connection facts for the router. */
  readonly info: TransportInfo;
  #socket: WebSocket;
  #codec: Codec;
  #adapted = false;
  #cache: WeakMap<WampMessage, string | Uint8Array>;
  #maxSize: number;
  #maxBuffered: number;
  #logger: Logger | undefined;
  #handler: TransportHandler | undefined;
  #closed = false;
  #closeCode: number | undefined;
  #finished = Promise.withResolvers<void>();
  #pending: (string | Uint8Array)[] = [];

  /**
   * Wraps an upgraded socket; call {@link WebSocketTransport.start} next.
   *
   * @param socket The server side of an upgraded connection.
   * @param options Codec, connection info and limits.
   */
  constructor(socket: WebSocket, options: WebSocketTransportOptions) {
    this.#socket = socket;
    this.#codec = options.codec;
    this.#cache = frameCache(options.codec);
    this.#maxSize = options.maxMessageSize ?? 0;
    this.#maxBuffered = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.#logger = options.logger;
    this.info = options.info;
    socket.binaryType = "arraybuffer";
  }

  /**
   * Starts feeding frames to `handler` (the result of `router.attach()`).
   *
   * @param handler The router's side of this connection.
   */
  start(handler: TransportHandler): void {
    this.#handler = handler;
    this.#socket.onmessage = (event) => this.#receive(event.data);
    this.#socket.onclose = () => this.#finish();
    this.#socket.onerror = () => {}; // a close event follows
    if (this.#socket.readyState >= WebSocket.CLOSING) this.#finish();
  }

  /**
   * Sends one message. Never throws: after close, or when the message cannot
   * be encoded, it is dropped (the latter is logged). EVENT arrays are
   * encoded once per codec and shared across transports; see
   * {@link Transport.send}. On a batched subprotocol, the messages sent in
   * one tick leave together in one frame.
   */
  send(message: WampMessage): void {
    if (this.#closed || this.#socket.readyState !== WebSocket.OPEN) return;
    let frame: string | Uint8Array;
    try {
      frame = this.#encode(message);
    } catch (error) {
      this.#logger?.warn(droppedMessageText(message, undefined, error));
      return;
    }
    if (!this.#codec.batched) return this.#write(frame);
    // Batched subprotocols: everything sent in one tick goes in one frame.
    this.#pending.push(frame);
    if (this.#pending.length === 1) queueMicrotask(() => this.#flush());
  }

  #encode(message: WampMessage): string | Uint8Array {
    if (message[0] !== EVENT) return this.#codec.encode(message);
    let frame = this.#cache.get(message);
    if (frame === undefined) {
      frame = this.#codec.encode(message);
      this.#cache.set(message, frame);
    }
    return frame;
  }

  #write(frame: string | Uint8Array): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    // Judge the backlog before this frame, so one big message never trips.
    const backlog = this.#socket.bufferedAmount;
    try {
      this.#socket.send(frame);
    } catch (error) {
      this.#logger?.warn(
        `Could not send to ${this.info.peer}: ${(error as Error).message}`,
      );
      return;
    }
    if (this.#maxBuffered > 0 && backlog > this.#maxBuffered) {
      this.#slowConsumer();
    }
  }

  #flush(): void {
    const frames = this.#pending;
    if (frames.length === 0) return;
    this.#pending = [];
    this.#write(joinFrames(frames));
  }

  /** Settles once the socket has closed and the handler was told. */
  get finished(): Promise<void> {
    return this.#finished.promise;
  }

  /** Closes the connection (idempotent). */
  close(code = 1000, reason = ""): void {
    if (this.#closed) return;
    this.#flush(); // a batched ABORT or GOODBYE goes out before the close
    this.#closed = true;
    const state = this.#socket.readyState;
    if (state === WebSocket.CLOSING || state === WebSocket.CLOSED) return;
    const finalCode = this.#closeCode ?? code;
    if (state === WebSocket.CONNECTING) {
      // Closed before the upgrade finished (e.g. the router is shutting
      // down): close as soon as the socket opens.
      this.#socket.addEventListener(
        "open",
        () => closeSocket(this.#socket, finalCode, reason),
        { once: true },
      );
      return;
    }
    closeSocket(this.#socket, finalCode, reason);
  }

  #receive(data: unknown): void {
    const handler = this.#handler;
    if (handler === undefined || this.#closed) return;
    const frame = typeof data === "string"
      ? data
      : new Uint8Array(data as ArrayBuffer);
    if (this.#maxSize > 0) {
      const size = typeof frame === "string"
        ? textSize(frame, this.#maxSize)
        : frame.length;
      if (size > this.#maxSize) {
        this.#closeCode = CLOSE_MESSAGE_TOO_BIG;
        this.#violate(
          `message of ${size} bytes exceeds max_message_size ${this.#maxSize}`,
        );
        return;
      }
    }
    if ((typeof frame === "string") === this.#codec.binary) {
      this.#violate(
        `${
          typeof frame === "string" ? "text" : "binary"
        } frame received on ${this.#codec.subprotocol}`,
      );
      return;
    }
    if (!this.#adapted) {
      this.#adapted = true;
      const adapted = this.#codec.adapt?.(frame);
      if (adapted !== undefined && adapted !== this.#codec) {
        this.#codec = adapted;
        this.#cache = frameCache(adapted);
      }
    }
    let messages: WampMessage[];
    try {
      messages = this.#codec.batched
        ? this.#codec.decodeBatch(frame)
        : [this.#codec.decode(frame)];
    } catch (error) {
      this.#violate((error as Error).message);
      return;
    }
    try {
      for (const message of messages) {
        if (this.#closed) return;
        handler.onMessage(message);
      }
    } catch (error) {
      // The router must not throw; if it does, cut this connection only.
      this.#logger?.error(
        `WAMP router failed on a message from ${this.info.peer}: ${
          (error as Error).message ?? error
        }`,
      );
      this.close(1011, "internal error");
    }
  }

  #slowConsumer(): void {
    this.#logger?.warn(
      `Closing ${this.info.peer}: it does not read its messages (${this.#socket.bufferedAmount} bytes queued, limit ${this.#maxBuffered})`,
    );
    this.close(CLOSE_SLOW_CONSUMER, "slow consumer");
    // The close handshake waits behind the unread queue, maybe forever: let
    // the router drop the session now; the socket goes when the peer does.
    this.#finish();
  }

  #violate(reason: string): void {
    this.#handler?.onProtocolError(reason);
    this.close(this.#closeCode ?? 1002, "protocol violation");
  }

  #finish(): void {
    this.#closed = true;
    const handler = this.#handler;
    this.#handler = undefined;
    if (handler === undefined) return this.#finished.resolve();
    try {
      handler.onClose();
    } finally {
      this.#finished.resolve();
    }
  }
}
