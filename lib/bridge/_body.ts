/**
 * Reads a bridge request body under the size limit, without ever holding
 * more than the limit plus one chunk, and checks it against
 * `Content-Length`.
 */
import { BridgeHttpError } from "./_errors.ts";
import { concatBytes } from "../bytes/concat.ts";

/**
 * Reads the whole body.
 *
 * @param request The request.
 * @param limit Largest accepted size in bytes; 0 means no limit.
 * @returns The raw bytes.
 * @throws {BridgeHttpError} 413 past the limit, 400 for a bad
 *   `Content-Length` or a body that breaks off.
 */
export async function readLimitedBody(
  request: Request,
  limit: number,
): Promise<Uint8Array> {
  const declared = parseContentLength(request.headers.get("content-length"));
  if (limit > 0 && declared !== undefined && declared > limit) {
    throw tooLarge(declared, limit);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        total += value.length;
        if (limit > 0 && total > limit) throw tooLarge(total, limit);
        chunks.push(value);
      }
    } catch (error) {
      await reader.cancel().catch(() => {});
      if (error instanceof BridgeHttpError) throw error;
      throw new BridgeHttpError(400, "Cannot read the request body");
    } finally {
      reader.releaseLock();
    }
  }
  if (declared !== undefined && declared !== total) {
    throw new BridgeHttpError(
      400,
      `Body length (${total}) differs from the Content-Length header (${declared})`,
    );
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, total);
}

function parseContentLength(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (value.includes(",")) {
    throw new BridgeHttpError(
      400,
      "Multiple Content-Length headers are not allowed",
    );
  }
  if (!/^\s*\d{1,15}\s*$/.test(value)) {
    throw new BridgeHttpError(400, `Invalid Content-Length header "${value}"`);
  }
  return Number(value);
}

function tooLarge(length: number, limit: number): BridgeHttpError {
  return new BridgeHttpError(
    413,
    `Request too long: ${length} bytes or more, the limit is ${limit}`,
  );
}
