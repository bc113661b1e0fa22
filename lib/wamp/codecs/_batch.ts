/**
 * Length-prefixed batches for binary serializations: each message is
 * preceded by its length as a 4-octet big-endian unsigned integer.
 */
import { CodecError } from "./codec.ts";

/** Prefixes one encoded message with its length. */
export function frameOne(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 4);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

/** Splits a batch frame into the encoded messages it holds. */
export function splitBatch(data: Uint8Array, codec: string): Uint8Array[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const parts: Uint8Array[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + 4 > data.length) {
      throw new CodecError(
        `Cannot decode ${codec} batch: truncated length prefix at byte ${offset}`,
      );
    }
    const length = view.getUint32(offset);
    const start = offset + 4;
    if (start + length > data.length) {
      throw new CodecError(
        `Cannot decode ${codec} batch: message at byte ${offset} claims ${length} bytes, only ${
          data.length - start
        } remain`,
      );
    }
    parts.push(data.subarray(start, start + length));
    offset = start + length;
  }
  if (parts.length === 0) {
    throw new CodecError(
      `Cannot decode ${codec} batch: the frame holds no message`,
    );
  }
  return parts;
}
