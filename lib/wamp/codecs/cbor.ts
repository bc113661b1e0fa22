/**
 * The CBOR serialization (`wamp.2.cbor`, `wamp.2.cbor.batched`), over npm
 * `cborg`. Bytes travel as CBOR byte strings (untagged).
 *
 * Strict peers refuse a float for a WAMP ID (autobahn-python: "invalid
 * type <class 'float'> for ID"). Before encoding, every integer whose
 * magnitude is above 2^32 and at most 2^53 becomes a `BigInt`, which is
 * always written as a CBOR integer; decoding turns such integers back into numbers (`_values.ts`).
 *
 * @module
 */
import { binaryCodecs, type BinarySerializer } from "./_binary_codec.ts";
import type { Codec } from "./codec.ts";

async function loadCbor(): Promise<BinarySerializer> {
  // cborg is pure JavaScript: no native add-on (cbor-x's optional
  // cbor-extract) to resolve, build or warn about on a first start.
  const { decode, encode } = await import("cborg");
  const tags: ((decodeTagged: () => unknown) => unknown)[] = [];
  // Tag 64 (RFC 8746 uint8 array, as npm `cbor` in autobahn-js writes
  // bytes) reads as plain bytes.
  tags[64] = (decodeTagged) => decodeTagged();
  return {
    name: "cbor",
    encode: (value) => encode(widenIntegers(value)),
    decode: (bytes) => decode(bytes, { tags }),
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
