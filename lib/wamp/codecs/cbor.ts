/**
 * The CBOR serialization (`wamp.2.cbor`, `wamp.2.cbor.batched`), over npm
 * `cbor-x`. Bytes travel as CBOR byte strings (untagged).
 *
 * cbor-x writes a JavaScript number beyond 32 bits as a float64, which
 * strict peers refuse for WAMP IDs (autobahn-python: "invalid type <class
 * 'float'> for ID"). Before encoding, every integer whose magnitude is above
 * 2^32 and at most 2^53 becomes a `BigInt`, which cbor-x writes as a CBOR
 * integer; decoding turns such integers back into numbers (`_values.ts`).
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
    encode: (value) =>
      Uint8Array.prototype.slice.call(encoder.encode(widenIntegers(value))),
    decode: (bytes) => decoder.decode(bytes),
  };
}

const UINT32_LIMIT = 0xffff_ffff;
const INT_LIMIT = 2 ** 53;

function isWideInteger(value: number): boolean {
  const magnitude = Math.abs(value);
  return magnitude > UINT32_LIMIT && magnitude <= INT_LIMIT &&
    Number.isInteger(value);
}

/**
 * `value` with every integer above 32 bits as a `BigInt`; unchanged parts
 * are shared, and `value` itself is returned when nothing needed changing.
 */
export function widenIntegers(value: unknown, depth = 0): unknown {
  if (typeof value === "number") {
    return isWideInteger(value) ? BigInt(value) : value;
  }
  if (typeof value !== "object" || value === null || depth > 256) return value;
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const widened = widenIntegers(item, depth + 1);
      if (widened !== item) {
        copy ??= value.slice();
        copy[i] = widened;
      }
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    const item = record[key];
    const widened = widenIntegers(item, depth + 1);
    if (widened !== item) {
      copy ??= { ...record };
      copy[key] = widened;
    }
  }
  return copy ?? value;
}

const codecs = binaryCodecs("cbor", loadCbor);

/** `wamp.2.cbor`: one CBOR item per binary frame. */
export const CBOR_CODEC: Codec = codecs.plain;

/** `wamp.2.cbor.batched`: length-prefixed CBOR items. */
export const CBOR_BATCHED_CODEC: Codec = codecs.batched;
