/**
 * The CBOR serialization (`wamp.2.cbor`, `wamp.2.cbor.batched`), over npm
 * `cbor-x`. Bytes travel as CBOR byte strings (untagged).
 *
 * @module
 */
import { binaryCodecs, type BinarySerializer } from "./_binary_codec.ts";
import type { Codec } from "./codec.ts";

async function loadCbor(): Promise<BinarySerializer> {
  const { Decoder, Encoder } = await import("cbor-x");
  const encoder = new Encoder({
    useRecords: false,
    tagUint8Array: false,
    mapsAsObjects: true,
    useFloat32: 0,
  });
  const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });
  return {
    name: "cbor",
    // cbor-x returns a view on its shared buffer: copy it out.
    encode: (value) => Uint8Array.prototype.slice.call(encoder.encode(value)),
    decode: (bytes) => decoder.decode(bytes),
  };
}

const codecs = binaryCodecs("cbor", loadCbor);

/** `wamp.2.cbor`: one CBOR item per binary frame. */
export const CBOR_CODEC: Codec = codecs.plain;

/** `wamp.2.cbor.batched`: length-prefixed CBOR items. */
export const CBOR_BATCHED_CODEC: Codec = codecs.batched;
