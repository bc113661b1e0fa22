/**
 * WAMP over RawSocket on one stream connection (TCP, TLS or a Unix socket):
 * the handshake, then length-prefixed frames, behind the router's
 * {@link Transport} seam.
 *
 * Connection lifecycle ({@link serveRawSocket}):
 * 1. The 4 handshake octets are read (after any `initial` octets a
 *    universal listener already took off the socket). A first octet other
 *    than 0x7F fails the connection; an unsupported serializer or non-zero
 *    reserved octets get the spec's error reply, then the close.
 * 2. The reply announces the receive limit (`maxMessageSize`, rounded up to
 *    a power of two); a {@link RawSocketTransport} is attached to the router.
 * 3. Each frame is read: a WAMP message is decoded and handed to the
 *    router, a PING is answered with a PONG echoing it, a PONG is ignored.
 *    A frame over the limit, reserved bits or an undecodable message are
 *    logged and answered with ABORT (`wamp.error.protocol_violation`), then
 *    the connection closes.
 * 4. Outgoing messages larger than the client's limit are dropped (logged);
 *    the rest are queued and written in one write per burst. A peer that
 *    does not read is cut when its queue passes `maxBufferedBytes`.
 *
 * @module
 */
import type { Codec } from "../codecs/codec.ts";
import {
  droppedMessageText,
  type Transport,
  type TransportHandler,
  type TransportInfo,
  type WampMessage,
} from "../transport.ts";
import type { Logger } from "../../log/logger.ts";
import {
  buildErrorReply,
  buildReply,
  HANDSHAKE_SIZE,
  HandshakeErrorCode,
  lengthExponent,
  parseHandshake,
} from "./handshake.ts";
import {
  FRAME_HEADER_SIZE,
  FrameReader,
  FrameType,
  FramingError,
  writeHeader,
} from "./framing.ts";
import { concatBytes } from "../../bytes/concat.ts";

/** The stream a RawSocket runs on (a `Deno.Conn` fits). */
export interface RawSocketConn {
  /** Reads into `buffer`; `null` at the end of the stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes some of `data`; resolves with how much. */
  write(data: Uint8Array): Promise<number>;
  /** Closes the stream. */
  close(): void;
}

/** Options for {@link serveRawSocket}. */
export interface ServeRawSocketOptions {
  /** The codecs this endpoint speaks, by RawSocket serializer ID. */
  readonly codecs: ReadonlyMap<number, Codec>;
  /** Largest incoming message in octets (512 … 2^24). */
  readonly maxMessageSize: number;
  /** Peer address (Crossbar's form) and TLS flag, for the session details. */
  readonly peer: string;
  /** Whether the stream is TLS. */
  readonly secure: boolean;
  /** Attaches the transport to the router and returns its handler. */
  readonly attach: (transport: RawSocketTransport) => TransportHandler;
  /** Where refusals and failures are logged. */
  readonly logger: Logger;
  /** Octets already read off the stream (by a universal listener). */
  readonly initial?: Uint8Array | undefined;
  /**
   * Bytes that may queue for a peer that does not read before it is cut.
   * @default {32 MiB}
   */
  readonly maxBufferedBytes?: number | undefined;
  /** Called with the transport once the handshake succeeded. */
  readonly onOpen?: ((transport: RawSocketTransport) => void) | undefined;
  /**
   * Aborted when the listener shuts down: a connection still in its
   * handshake is closed at once (an attached one is closed by the router).
   */
  readonly closing?: AbortSignal | undefined;
}

/** Default cap on bytes queued for a peer that is not reading. */
export const DEFAULT_MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

const READ_SIZE = 64 * 1024;
/** How long a closing connection may take to flush its queue. */
const CLOSE_FLUSH_MS = 2000;
/** WAMP message type code of EVENT, whose frames are shared on fan-out. */
const EVENT = 36;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Per codec: the framed bytes of each EVENT array sent to many peers. */
const FRAME_CACHE = new Map<Codec, WeakMap<WampMessage, Uint8Array>>();

function frameCache(codec: Codec): WeakMap<WampMessage, Uint8Array> {
  let cache = FRAME_CACHE.get(codec);
  if (cache === undefined) {
    cache = new WeakMap();
    FRAME_CACHE.set(codec, cache);
  }
  return cache;
}

/** Serializes `message` and frames it as a regular WAMP message. */
function frameMessage(codec: Codec, message: WampMessage): Uint8Array {
  const encoded = codec.encode(message);
  const payload = typeof encoded === "string" ? utf8.encode(encoded) : encoded;
  const frame = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  writeHeader(frame, 0, FrameType.MESSAGE, payload.length);
  frame.set(payload, FRAME_HEADER_SIZE);
  return frame;
}

/**
 * Serves one accepted stream as a RawSocket: handshake, attach, frames.
 * Resolves when the connection is gone; never rejects.
 *
 * @param conn The accepted stream.
 * @param options Codecs, limits, peer facts and the router attachment.
 */
export async function serveRawSocket(
  conn: RawSocketConn,
  options: ServeRawSocketOptions,
): Promise<void> {
  const reader = new StreamReader(conn, options.initial);
  let transport: RawSocketTransport | undefined;
  const abandon = () => closeQuietly(conn);
  if (options.closing?.aborted) return abandon();
  options.closing?.addEventListener("abort", abandon, { once: true });
  try {
    const octets = await reader.readExactly(HANDSHAKE_SIZE);
    if (octets === null) return closeQuietly(conn);
    const request = parseHandshake(octets);
    if (request.kind === "not-rawsocket") {
      options.logger.warn(
        `RawSocket connection from ${options.peer} refused: first octet 0x${
          octets[0]!.toString(16).padStart(2, "0")
        } is not the RawSocket magic 0x7f`,
      );
      return closeQuietly(conn);
    }
    let codec: Codec | undefined;
    let refusal: { code: number; reason: string } | undefined;
    if (request.kind === "error") refusal = request;
    else {
      codec = options.codecs.get(request.serializer);
      if (codec === undefined) {
        refusal = {
          code: HandshakeErrorCode.SERIALIZER_UNSUPPORTED,
          reason: `serializer ${request.serializer} is not offered here`,
        };
      }
    }
    if (refusal !== undefined || codec === undefined) {
      options.logger.warn(
        `RawSocket handshake from ${options.peer} refused: ${refusal?.reason}`,
      );
      await writeAll(conn, buildErrorReply(refusal!.code));
      return closeQuietly(conn);
    }
    await codec.load();
    options.closing?.removeEventListener("abort", abandon);
    if (options.closing?.aborted) return abandon();
    const ok = request as { serializer: number; maxLength: number };
    // Announced limit: the power of two covering max_message_size.
    const receiveLimit = 2 ** (lengthExponent(options.maxMessageSize) + 9);
    await writeAll(conn, buildReply(ok.serializer, options.maxMessageSize));
    transport = new RawSocketTransport(conn, {
      codec,
      info: {
        type: "rawsocket",
        peer: options.peer,
        serializer: codec.name,
        secure: options.secure,
      },
      sendLimit: ok.maxLength,
      maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
      logger: options.logger,
    });
    transport.start(options.attach(transport));
    options.onOpen?.(transport);
    await transport.run(reader, receiveLimit);
  } catch (error) {
    if (transport === undefined) {
      if (!isDisconnect(error)) {
        options.logger.warn(
          `RawSocket connection from ${options.peer} failed: ${
            (error as Error).message ?? error
          }`,
        );
      }
      closeQuietly(conn);
    } else {
      transport.abortWith(error);
    }
  } finally {
    options.closing?.removeEventListener("abort", abandon);
    transport?.finish();
  }
}

/** Buffered reads from the stream, starting with octets already taken. */
class StreamReader {
  #conn: RawSocketConn;
  #pending: Uint8Array;
  #buffer = new Uint8Array(READ_SIZE);

  constructor(conn: RawSocketConn, initial: Uint8Array | undefined) {
    this.#conn = conn;
    this.#pending = initial ?? new Uint8Array(0);
  }

  /** Exactly `n` octets, or `null` when the stream ends first. */
  async readExactly(n: number): Promise<Uint8Array | null> {
    while (this.#pending.length < n) {
      const chunk = await this.read();
      if (chunk === null) return null;
      const joined = new Uint8Array(this.#pending.length + chunk.length);
      joined.set(this.#pending);
      joined.set(chunk, this.#pending.length);
      this.#pending = joined;
    }
    const out = this.#pending.slice(0, n);
    this.#pending = this.#pending.subarray(n);
    return out;
  }

  /** What is left of the octets read ahead, then fresh reads. */
  async read(): Promise<Uint8Array | null> {
    if (this.#pending.length > 0) {
      const out = this.#pending;
      this.#pending = new Uint8Array(0);
      return out;
    }
    const n = await this.#conn.read(this.#buffer);
    if (n === null) return null;
    // A copy: decoded binary values may keep views of it.
    return this.#buffer.slice(0, n);
  }
}

async function writeAll(conn: RawSocketConn, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await conn.write(data.subarray(offset));
  }
}

function closeQuietly(conn: RawSocketConn): void {
  try {
    conn.close();
  } catch { /* already closed */ }
}

function isDisconnect(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.Interrupted ||
    error instanceof Deno.errors.UnexpectedEof;
}

/** Options of a {@link RawSocketTransport}. */
interface RawSocketTransportOptions {
  readonly codec: Codec;
  readonly info: TransportInfo;
  /** Largest message the client accepts. */
  readonly sendLimit: number;
  readonly maxBufferedBytes: number;
  readonly logger: Logger;
}

/** The router's handle on one RawSocket connection. */
export class RawSocketTransport implements Transport {
  /** Connection facts for the router. */
  readonly info: TransportInfo;
  #conn: RawSocketConn;
  #codec: Codec;
  #cache: WeakMap<WampMessage, Uint8Array>;
  #sendLimit: number;
  #maxBuffered: number;
  #logger: Logger;
  #handler: TransportHandler | undefined;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #writing = false;
  #closing = false;
  #closed = false;
  #finished = Promise.withResolvers<void>();

  /** @internal Use {@link serveRawSocket}. */
  constructor(conn: RawSocketConn, options: RawSocketTransportOptions) {
    this.#conn = conn;
    this.#codec = options.codec;
    this.#cache = frameCache(options.codec);
    this.#sendLimit = options.sendLimit;
    this.#maxBuffered = options.maxBufferedBytes;
    this.#logger = options.logger;
    this.info = options.info;
  }

  /** Settles once the connection is gone and the router was told. */
  get finished(): Promise<void> {
    return this.#finished.promise;
  }

  /** @internal Sets the router's handler. */
  start(handler: TransportHandler): void {
    this.#handler = handler;
  }

  /**
   * Sends one message. Never throws: after close, or when the message cannot
   * be encoded or exceeds the client's limit, it is dropped (logged).
   */
  send(message: WampMessage): void {
    if (this.#closing) return;
    let frame: Uint8Array;
    try {
      if (message[0] === EVENT) {
        frame = this.#cache.get(message) ?? frameMessage(this.#codec, message);
        this.#cache.set(message, frame);
      } else {
        frame = frameMessage(this.#codec, message);
      }
    } catch (error) {
      this.#logger.warn(droppedMessageText(message, this.info.peer, error));
      return;
    }
    const size = frame.length - FRAME_HEADER_SIZE;
    if (size > this.#sendLimit) {
      this.#logger.warn(
        droppedMessageText(
          message,
          this.info.peer,
          `${size} octets exceed the client's limit of ${this.#sendLimit}`,
        ),
      );
      return;
    }
    this.#enqueue(frame);
  }

  /** Closes the connection after flushing what is queued (idempotent). */
  close(_code?: number, _reason?: string): void {
    if (this.#closing) return;
    this.#closing = true;
    if (!this.#writing) this.#closeConn();
    else {
      // A peer that does not read must not hold the connection open.
      const timer = setTimeout(() => this.#closeConn(), CLOSE_FLUSH_MS);
      this.#finished.promise.then(() => clearTimeout(timer));
    }
  }

  /** @internal Reads frames until the stream ends or fails. */
  async run(reader: StreamReader, receiveLimit: number): Promise<void> {
    const frames = new FrameReader(receiveLimit);
    while (!this.#closed) {
      const chunk = await reader.read();
      if (chunk === null) return;
      let received;
      try {
        received = frames.push(chunk);
      } catch (error) {
        if (error instanceof FramingError) {
          return this.#violate(error.message);
        }
        throw error;
      }
      for (const frame of received) {
        if (this.#closing) return;
        if (frame.type === FrameType.PING) {
          const pong = new Uint8Array(FRAME_HEADER_SIZE + frame.payload.length);
          writeHeader(pong, 0, FrameType.PONG, frame.payload.length);
          pong.set(frame.payload, FRAME_HEADER_SIZE);
          this.#enqueue(pong);
        } else if (frame.type === FrameType.MESSAGE) {
          this.#receive(frame.payload);
        }
      }
    }
  }

  /** @internal The read loop failed: log unless the peer just left. */
  abortWith(error: unknown): void {
    if (!isDisconnect(error) && !this.#closed) {
      this.#logger.warn(
        `RawSocket connection from ${this.info.peer} failed: ${
          (error as Error).message ?? error
        }`,
      );
    }
    this.#closeConn();
  }

  /** @internal The connection is gone: tell the router once. */
  finish(): void {
    this.#closeConn();
    const handler = this.#handler;
    this.#handler = undefined;
    if (handler === undefined) return this.#finished.resolve();
    try {
      handler.onClose();
    } finally {
      this.#finished.resolve();
    }
  }

  #receive(payload: Uint8Array): void {
    const handler = this.#handler;
    if (handler === undefined) return;
    let message: WampMessage;
    try {
      message = this.#codec.binary
        ? this.#codec.decode(payload)
        : this.#codec.decode(decodeText(payload));
    } catch (error) {
      return this.#violate((error as Error).message);
    }
    try {
      handler.onMessage(message);
    } catch (error) {
      this.#logger.error(
        `WAMP router failed on a message from ${this.info.peer}: ${
          (error as Error).message ?? error
        }`,
      );
      this.close();
    }
  }

  #violate(reason: string): void {
    this.#logger.warn(
      `Closing RawSocket connection from ${this.info.peer}: ${reason}`,
    );
    this.#handler?.onProtocolError(reason);
    this.close();
  }

  #enqueue(frame: Uint8Array): void {
    if (this.#closed) return;
    this.#queue.push(frame);
    this.#queued += frame.length;
    if (this.#maxBuffered > 0 && this.#queued > this.#maxBuffered) {
      this.#logger.warn(
        `Closing ${this.info.peer}: it does not read its messages (${this.#queued} bytes queued, limit ${this.#maxBuffered})`,
      );
      this.#closeConn();
      return;
    }
    if (!this.#writing) {
      this.#writing = true;
      // Messages sent in the same tick leave in one write.
      queueMicrotask(() => this.#drain());
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const parts = this.#queue;
        this.#queue = [];
        const data = parts.length === 1 ? parts[0]! : concatBytes(parts);
        await writeAll(this.#conn, data);
        this.#queued -= data.length;
      }
    } catch (error) {
      if (!isDisconnect(error) && !this.#closed) {
        this.#logger.warn(
          `Could not send to ${this.info.peer}: ${(error as Error).message}`,
        );
      }
      this.#closeConn();
    } finally {
      this.#writing = false;
      if (this.#closing) this.#closeConn();
    }
  }

  #closeConn(): void {
    this.#closing = true;
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    closeQuietly(this.#conn);
  }
}

function decodeText(payload: Uint8Array): string {
  try {
    return strictUtf8.decode(payload);
  } catch {
    throw new Error("Cannot decode json frame: the payload is not valid UTF-8");
  }
}
