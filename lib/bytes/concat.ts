/**
 * Joining byte chunks: the one copy loop that readers of sockets, bodies
 * and child output share.
 *
 * @module
 */

/**
 * The bytes of `parts`, one after the other, in a new array.
 *
 * @param parts The chunks, in order.
 * @param total Their length in bytes, when the caller has counted it.
 * @returns A fresh array (also for a single part).
 */
export function concatBytes(
  parts: readonly Uint8Array[],
  total?: number,
): Uint8Array<ArrayBuffer> {
  let length = total ?? 0;
  if (total === undefined) { for (const part of parts) length += part.length; }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
