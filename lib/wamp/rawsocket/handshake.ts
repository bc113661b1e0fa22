/**
 * The RawSocket opening handshake (WAMP spec, "RawSocket Transport"): the
 * client's 4 octets `7F (L<<4 | S) 00 00`, the router's reply of the same
 * shape, and the error reply `7F (E<<4) 00 00`.
 *
 * @example Parse a client's handshake and build the reply
 * ```ts
 * import { buildReply, parseHandshake } from "./handshake.ts";
 * const request = parseHandshake(new Uint8Array([0x7f, 0xf1, 0, 0]));
 * if (request.kind !== "ok" || request.serializer !== 1) throw new Error();
 * if (request.maxLength !== 2 ** 24) throw new Error();
 * const reply = buildReply(1, 2 ** 20);
 * if (reply[1] !== 0xb1) throw new Error(String(reply[1]));
 * ```
 *
 * @module
 */

/** The first octet of every handshake. */
export const MAGIC = 0x7f;

/** Size of the handshake in octets (both directions). */
export const HANDSHAKE_SIZE = 4;

/** Serializer IDs of the handshake's `SERIALIZER` field. */
export const SERIALIZER_IDS: Readonly<Record<string, number>> = Object.freeze(
  { json: 1, msgpack: 2, cbor: 3, ubjson: 4, flatbuffers: 5 },
);

/** Error codes of the handshake's error reply (`EEEE`). */
export const HandshakeErrorCode = Object.freeze({
  /** The requested serializer is not spoken here. */
  SERIALIZER_UNSUPPORTED: 1,
  /** The requested maximum message length is not acceptable. */
  MAX_LENGTH_UNACCEPTABLE: 2,
  /** The client used reserved bits (the 3rd and 4th octets). */
  RESERVED_BITS: 3,
  /** The router has too many connections. */
  CONNECTION_LIMIT: 4,
});

/** The smallest and largest maximum message length (2^9, 2^24). */
export const MIN_MAX_LENGTH = 2 ** 9;
/** The largest maximum message length a handshake can express (16 MiB). */
export const MAX_MAX_LENGTH = 2 ** 24;

/** What a client's handshake asks for, or why it is refused. */
export type HandshakeRequest =
  | {
    readonly kind: "ok";
    /** Requested serializer ID (1 JSON, 2 MessagePack, 3 CBOR, …). */
    readonly serializer: number;
    /** Largest message the client accepts, in octets. */
    readonly maxLength: number;
  }
  | {
    /** The first octet is not 0x7F: not a RawSocket client at all. */
    readonly kind: "not-rawsocket";
  }
  | {
    readonly kind: "error";
    /** The code for the error reply ({@link HandshakeErrorCode}). */
    readonly code: number;
    /** Why, for the log. */
    readonly reason: string;
  };

/**
 * Parses the client's 4 handshake octets.
 *
 * @param octets Exactly {@link HANDSHAKE_SIZE} octets.
 * @returns The request, or why it must be refused.
 */
export function parseHandshake(octets: Uint8Array): HandshakeRequest {
  if (octets.length !== HANDSHAKE_SIZE) {
    throw new RangeError(
      `A RawSocket handshake has ${HANDSHAKE_SIZE} octets, not ${octets.length}`,
    );
  }
  if (octets[0] !== MAGIC) return { kind: "not-rawsocket" };
  const second = octets[1]!;
  const serializer = second & 0x0f;
  if (octets[2] !== 0 || octets[3] !== 0) {
    return {
      kind: "error",
      code: HandshakeErrorCode.RESERVED_BITS,
      reason: `reserved handshake octets are not zero (0x${hex(octets[2]!)} 0x${
        hex(octets[3]!)
      })`,
    };
  }
  if (serializer === 0) {
    return {
      kind: "error",
      code: HandshakeErrorCode.SERIALIZER_UNSUPPORTED,
      reason: "serializer 0 is illegal",
    };
  }
  return { kind: "ok", serializer, maxLength: 2 ** ((second >> 4) + 9) };
}

/**
 * The `LENGTH` field for a size limit: the smallest exponent whose 2^(9+L)
 * covers `maxLength`, clamped to 0…15.
 */
export function lengthExponent(maxLength: number): number {
  const exponent = Math.ceil(Math.log2(Math.max(1, maxLength))) - 9;
  return Math.min(15, Math.max(0, exponent));
}

/**
 * The router's accepting reply.
 *
 * @param serializer The client's serializer ID, echoed.
 * @param maxLength The largest message the router accepts; announced as
 * the power of two that covers it.
 */
export function buildReply(serializer: number, maxLength: number): Uint8Array {
  return new Uint8Array([
    MAGIC,
    (lengthExponent(maxLength) << 4) | (serializer & 0x0f),
    0,
    0,
  ]);
}

/**
 * The router's error reply.
 *
 * @param code One of {@link HandshakeErrorCode}.
 */
export function buildErrorReply(code: number): Uint8Array {
  return new Uint8Array([MAGIC, (code & 0x0f) << 4, 0, 0]);
}

function hex(octet: number): string {
  return octet.toString(16).padStart(2, "0");
}
