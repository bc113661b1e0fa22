/**
 * The CBOR serialization (`wamp.2.cbor`, `wamp.2.cbor.batched`), over npm
 * `cbor-x`. Bytes travel as CBOR byte strings (untagged).
 *
 * @module
 */
import { Decoder, Encoder } from "cbor-x";
import { binaryCodecs } from "./_binary_codec.ts";
import type { Codec } from "./codec.ts";

const encoder = new Encoder({
  useRecords: false,
  tagUint8Array: false,
  mapsAsObjects: true,
  useFloat32: 0,
});
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

function encodeCbor(value: unknown): Uint8Array {
  // cbor-x returns a view on its shared buffer: copy it out.
  return Uint8Array.prototype.slice.call(encoder.encode(value));
}

const codecs = binaryCodecs({
  name: "cbor",
  encode: encodeCbor,
  decode: (bytes) => decoder.decode(bytes),
});

/** `wamp.2.cbor`: one CBOR item per binary frame. */
export const CBOR_CODEC: Codec = codecs.plain;

/** `wamp.2.cbor.batched`: length-prefixed CBOR items. */
export const CBOR_BATCHED_CODEC: Codec = codecs.batched;
