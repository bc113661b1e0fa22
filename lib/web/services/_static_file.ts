/**
 * HTTP semantics of serving one file: validators, conditional requests,
 * byte ranges, encodings and streaming the bytes.
 *
 * @module
 */

/** A byte range, both ends inclusive. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** Builds a weak ETag from size and modification time. */
export function weakEtag(info: Deno.FileInfo, suffix = ""): string {
  const mtime = info.mtime?.getTime() ?? 0;
  return `W/"${info.size.toString(16)}-${mtime.toString(16)}${suffix}"`;
}

/**
 * Whether the client's cached copy is current: `If-None-Match` (weak
 * comparison, `*` matches) wins over `If-Modified-Since`.
 */
export function isNotModified(
  request: Request,
  etag: string,
  mtime: Date | null,
): boolean {
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch !== null) {
    if (ifNoneMatch.trim() === "*") return true;
    const wanted = opaqueTag(etag);
    return ifNoneMatch.split(",").some((tag) => opaqueTag(tag) === wanted);
  }
  const since = request.headers.get("if-modified-since");
  if (since === null || mtime === null) return false;
  const sinceMs = Date.parse(since);
  if (Number.isNaN(sinceMs)) return false;
  return Math.floor(mtime.getTime() / 1000) * 1000 <= sinceMs;
}

function opaqueTag(tag: string): string {
  const trimmed = tag.trim();
  return trimmed.startsWith("W/") ? trimmed.slice(2) : trimmed;
}

const RANGE_REGEXP = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads a `Range` header against a file of `size` bytes. Returns the range,
 * `"unsatisfiable"` (answer 416), or `undefined` to send the whole file
 * (no header, a syntax we ignore, or several ranges).
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (header === null) return undefined;
  const match = RANGE_REGEXP.exec(header.trim());
  if (match === null) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return undefined;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== "" && Number(last) < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

/**
 * Whether an `If-Range` precondition lets a range request through: absent,
 * or naming the current strong-enough validator. Weak ETags never match
 * (RFC 9110), so only a date equal to `Last-Modified` passes for us.
 */
export function ifRangeAllows(
  request: Request,
  lastModified: string | undefined,
): boolean {
  const ifRange = request.headers.get("if-range");
  if (ifRange === null) return true;
  return lastModified !== undefined && ifRange.trim() === lastModified;
}

/** Encodings we have precompressed siblings for, and their file suffix. */
const ENCODINGS = [["br", ".br"], ["gzip", ".gz"]] as const;

/**
 * Lists the precompressed encodings the client accepts, best first
 * (`br` before `gzip` when the q-values tie).
 */
export function acceptedEncodings(
  header: string | null,
): { encoding: string; suffix: string }[] {
  if (header === null) return [];
  const q = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";");
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const value = qParam === undefined ? 1 : Number(qParam.slice(2));
    q.set(name.trim(), Number.isNaN(value) ? 0 : value);
  }
  const star = q.get("*") ?? 0;
  return ENCODINGS
    .map(([encoding, suffix]) => ({
      encoding,
      suffix,
      q: q.get(encoding) ?? star,
    }))
    .filter((e) => e.q > 0)
    .sort((a, b) => b.q - a.q)
    .map(({ encoding, suffix }) => ({ encoding, suffix }));
}

const CHUNK_SIZE = 64 * 1024;

/**
 * Streams the next `length` bytes of an open `file` (already positioned).
 * The file is closed at the end, on error and on cancel.
 */
export function limitedFileStream(
  file: Deno.FsFile,
  length: number,
): ReadableStream<Uint8Array> {
  let left = length;
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    file.close();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const buffer = new Uint8Array(Math.min(CHUNK_SIZE, left));
        const read = left === 0 ? null : await file.read(buffer);
        if (read === null) {
          close();
          controller.close();
          return;
        }
        left -= read;
        controller.enqueue(buffer.subarray(0, read));
        if (left === 0) {
          close();
          controller.close();
        }
      } catch (error) {
        close();
        controller.error(error);
      }
    },
    cancel() {
      close();
    },
  }, { highWaterMark: 0 });
}

/** Formats a date as an HTTP date (`Tue, 24 Nov 2026 03:21:41 GMT`). */
export function httpDate(date: Date): string {
  return date.toUTCString();
}
