/**
 * WAMP serializations for WebSocket transports: JSON, MessagePack and CBOR,
 * each unbatched and batched, behind the {@link Codec} seam.
 *
 * @example Encode and decode a message
 * ```ts
 * import { codecForSubprotocol } from "./mod.ts";
 * const codec = codecForSubprotocol("wamp.2.json")!;
 * const frame = codec.encode([16, 1, {}, "com.example.topic", [new Uint8Array([1, 2])]]);
 * if (frame !== '[16,1,{},"com.example.topic",["\\u0000AQI="]]') throw new Error(String(frame));
 * const back = codec.decode(frame);
 * if (!((back[4] as unknown[])[0] instanceof Uint8Array)) throw new Error();
 * ```
 *
 * @module
 */
import type { Codec, CodecName } from "./codec.ts";
import { JSON_BATCHED_CODEC, JSON_CODEC } from "./json.ts";
import { MSGPACK_BATCHED_CODEC, MSGPACK_CODEC } from "./msgpack.ts";
import { CBOR_BATCHED_CODEC, CBOR_CODEC } from "./cbor.ts";

export { type Codec, CodecError, type CodecName } from "./codec.ts";
export { JSON_BATCHED_CODEC, JSON_CODEC } from "./json.ts";
export { MSGPACK_BATCHED_CODEC, MSGPACK_CODEC } from "./msgpack.ts";
export { CBOR_BATCHED_CODEC, CBOR_CODEC } from "./cbor.ts";
export { MAX_DEPTH } from "./_values.ts";

/** Every codec this node speaks, in the server's order of preference. */
export const CODECS: readonly Codec[] = Object.freeze([
  JSON_CODEC,
  MSGPACK_CODEC,
  CBOR_CODEC,
  JSON_BATCHED_CODEC,
  MSGPACK_BATCHED_CODEC,
  CBOR_BATCHED_CODEC,
]);

/** Serializer names accepted in a `serializers` list. */
export const CODEC_NAMES: readonly CodecName[] = Object.freeze([
  "json",
  "msgpack",
  "cbor",
]);

const BY_SUBPROTOCOL = new Map(CODECS.map((c) => [c.subprotocol, c]));

/**
 * Looks up the codec of a WebSocket subprotocol.
 *
 * @param subprotocol E.g. `"wamp.2.msgpack.batched"`.
 * @returns The codec, or `undefined` for an unknown subprotocol.
 *
 * @example Look up msgpack
 * ```ts
 * import { codecForSubprotocol } from "./mod.ts";
 * if (codecForSubprotocol("wamp.2.msgpack")?.binary !== true) throw new Error();
 * if (codecForSubprotocol("wamp.2.xml") !== undefined) throw new Error();
 * ```
 */
export function codecForSubprotocol(subprotocol: string): Codec | undefined {
  return BY_SUBPROTOCOL.get(subprotocol);
}
