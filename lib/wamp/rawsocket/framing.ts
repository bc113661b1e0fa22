/**
 * RawSocket message framing (WAMP spec): each message is prefixed with 4
 * octets `RRRR XTTT LLLLLLLL LLLLLLLL LLLLLLLL` — reserved bits, the 25th
 * length bit (set only for a payload of exactly 16 MiB), the message type
 * (0 WAMP message, 1 PING, 2 PONG) and a 24-bit length.
 *
 * {@link FrameReader} splits an incoming byte stream into frames;
 * {@link encodeFrame} builds one.
 *
 * @example Round-trip a frame through the reader
 * ```ts
 * import { encodeFrame, FrameReader, FrameType } from "./framing.ts";
 * const reader = new FrameReader(1024);
 * const wire = encodeFrame(FrameType.PING, new Uint8Array([1, 2, 3]));
 * const frames = [...reader.push(wire.subarray(0, 2)), ...reader.push(wire.subarray(2))];
 * if (frames.length !== 1 || frames[0]!.type !== FrameType.PING) throw new Error();
 * if (frames[0]!.payload.length !== 3) throw new Error();
 * ```
 *
 * @module
 */

/** Size of the frame prefix in octets. */
export const FRAME_HEADER_SIZE = 4;

/** Transport message types (`TTT`). */
export const FrameType = Object.freeze({
  /** A serialized WAMP message. */
  MESSAGE: 0,
  /** A PING; the peer must answer with a PONG echoing the payload. */
  PING: 1,
  /** The answer to a PING. */
  PONG: 2,
});

/** One received frame. */
export interface Frame {
  /** The transport message type ({@link FrameType}). */
  readonly type: number;
  /** The payload (a view into the reader's buffer or a copy). */
  readonly payload: Uint8Array;
}

/** A frame the peer must not send; the connection is to be failed. */
export class FramingError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "FramingError";
  }
}

/** The largest length the prefix can carry (2^24, through the X bit). */
export const MAX_FRAME_LENGTH = 2 ** 24;

/**
 * Builds the prefix and payload of one frame.
 *
 * @param type The transport message type.
 * @param payload The payload, at most 2^24 octets.
 * @returns Prefix and payload in one array.
 */
export function encodeFrame(type: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
  writeHeader(frame, 0, type, payload.length);
  frame.set(payload, FRAME_HEADER_SIZE);
  return frame;
}

/**
 * Writes a frame prefix at `offset` of `target`.
 *
 * @throws {RangeError} When `length` exceeds 2^24.
 */
export function writeHeader(
  target: Uint8Array,
  offset: number,
  type: number,
  length: number,
): void {
  if (length > MAX_FRAME_LENGTH) {
    throw new RangeError(
      `A RawSocket frame carries at most ${MAX_FRAME_LENGTH} octets, not ${length}`,
    );
  }
  const extra = length === MAX_FRAME_LENGTH ? 0x08 : 0;
  target[offset] = extra | (type & 0x07);
  target[offset + 1] = (length >>> 16) & 0xff;
  target[offset + 2] = (length >>> 8) & 0xff;
  target[offset + 3] = length & 0xff;
}

/**
 * Splits a byte stream into frames, refusing frames over a size limit
 * before their payload arrives (no memory is spent on them).
 */
export class FrameReader {
  #maxLength: number;
  /** Octets of an incomplete header (fewer than 4). */
  #head: Uint8Array = new Uint8Array(0);
  /** The frame whose payload is arriving, filled up to `#filled`. */
  #partial: { type: number; payload: Uint8Array } | undefined;
  #filled = 0;

  /**
   * @param maxLength The largest payload accepted, in octets.
   */
  constructor(maxLength: number) {
    this.#maxLength = maxLength;
  }

  /** Octets received but not yet part of a whole frame. */
  get buffered(): number {
    return this.#head.length + this.#filled;
  }

  /**
   * Adds received octets and returns every frame they complete. Payloads
   * may be views into `chunk`, so the caller must not reuse its memory
   * (decoders keep views of binary values). A payload that arrives over
   * several chunks is gathered into one buffer of its announced size, so
   * large messages cost one copy, not one per chunk.
   *
   * @throws {FramingError} For reserved bits, an unknown type or a payload
   * over the limit.
   */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const partial = this.#partial;
      if (partial !== undefined) {
        const take = Math.min(
          partial.payload.length - this.#filled,
          chunk.length - offset,
        );
        partial.payload.set(
          chunk.subarray(offset, offset + take),
          this.#filled,
        );
        this.#filled += take;
        offset += take;
        if (this.#filled === partial.payload.length) {
          frames.push(partial);
          this.#partial = undefined;
          this.#filled = 0;
        }
        continue;
      }
      let header: Uint8Array;
      if (this.#head.length > 0 || chunk.length - offset < FRAME_HEADER_SIZE) {
        const need = FRAME_HEADER_SIZE - this.#head.length;
        const part = chunk.subarray(offset, offset + need);
        const head = new Uint8Array(this.#head.length + part.length);
        head.set(this.#head);
        head.set(part, this.#head.length);
        offset += part.length;
        if (head.length < FRAME_HEADER_SIZE) {
          this.#head = head;
          break;
        }
        this.#head = new Uint8Array(0);
        header = head;
      } else {
        header = chunk.subarray(offset, offset + FRAME_HEADER_SIZE);
        offset += FRAME_HEADER_SIZE;
      }
      const { type, length } = this.#parseHeader(header);
      const available = chunk.length - offset;
      if (available >= length) {
        frames.push({ type, payload: chunk.subarray(offset, offset + length) });
        offset += length;
      } else {
        this.#partial = { type, payload: new Uint8Array(length) };
        this.#filled = 0;
      }
    }
    return frames;
  }

  #parseHeader(header: Uint8Array): { type: number; length: number } {
    const first = header[0]!;
    if ((first & 0xf0) !== 0) {
      throw new FramingError(
        `reserved bits set in a frame header (0x${first.toString(16)})`,
      );
    }
    const type = first & 0x07;
    if (type > FrameType.PONG) {
      throw new FramingError(`reserved frame type ${type}`);
    }
    const low = (header[1]! << 16) | (header[2]! << 8) | header[3]!;
    if ((first & 0x08) !== 0 && low !== 0) {
      throw new FramingError(
        "the 25th length bit is set with a non-zero length",
      );
    }
    const length = (first & 0x08) !== 0 ? MAX_FRAME_LENGTH : low;
    if (length > this.#maxLength) {
      throw new FramingError(
        `frame of ${length} octets exceeds the limit of ${this.#maxLength}`,
      );
    }
    return { type, length };
  }
}
