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
  #buffer: Uint8Array = new Uint8Array(0);

  /**
   * @param maxLength The largest payload accepted, in octets.
   */
  constructor(maxLength: number) {
    this.#maxLength = maxLength;
  }

  /** Octets received but not yet part of a whole frame. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /**
   * Adds received octets and returns every frame they complete. Payloads
   * may be views into `chunk`, so the caller must not reuse its memory
   * (decoders keep views of binary values).
   *
   * @throws {FramingError} For reserved bits, an unknown type or a payload
   * over the limit.
   */
  push(chunk: Uint8Array): Frame[] {
    let data = chunk;
    if (this.#buffer.length > 0) {
      data = new Uint8Array(this.#buffer.length + chunk.length);
      data.set(this.#buffer);
      data.set(chunk, this.#buffer.length);
    }
    const frames: Frame[] = [];
    let offset = 0;
    while (data.length - offset >= FRAME_HEADER_SIZE) {
      const first = data[offset]!;
      if ((first & 0xf0) !== 0) {
        throw new FramingError(
          `reserved bits set in a frame header (0x${first.toString(16)})`,
        );
      }
      const type = first & 0x07;
      if (type > FrameType.PONG) {
        throw new FramingError(`reserved frame type ${type}`);
      }
      const low = (data[offset + 1]! << 16) | (data[offset + 2]! << 8) |
        data[offset + 3]!;
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
      const end = offset + FRAME_HEADER_SIZE + length;
      if (end > data.length) break;
      frames.push({
        type,
        payload: data.subarray(offset + FRAME_HEADER_SIZE, end),
      });
      offset = end;
    }
    this.#buffer = offset === data.length
      ? new Uint8Array(0)
      : data.slice(offset);
    return frames;
  }
}
