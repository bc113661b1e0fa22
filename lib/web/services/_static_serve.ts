/**
 * Answers a GET or HEAD for one resolved file: picks a precompressed
 * sibling, sets validators and caching headers, handles 304, 206 and 416,
 * and streams the bytes.
 *
 * @module
 */
import {
  acceptedEncodings,
  httpDate,
  ifRangeAllows,
  isNotModified,
  limitedFileStream,
  parseRange,
  weakEtag,
} from "./_static_file.ts";
import { isInside, isMissing } from "./_static_path.ts";
import { plainResponse } from "./_static_http.ts";

/** Options for {@link serveFile}. */
export interface ServeFileOptions {
  /** Real path of the served folder. */
  readonly root: string;
  /** Real path of the file (inside `root`). */
  readonly path: string;
  /** The file's stat. */
  readonly info: Deno.FileInfo;
  /** Media type of the (uncompressed) file. */
  readonly contentType: string;
  /** `max-age` seconds, or `null` for no caching headers. */
  readonly cacheTimeout: number | null;
  /** Headers already set (CORS); the response adds to them. */
  readonly headers: Headers;
}

/** Serves one file; see the module doc. */
export async function serveFile(
  request: Request,
  options: ServeFileOptions,
): Promise<Response> {
  const { headers } = options;
  let { path, info } = options;
  headers.set("content-type", options.contentType);
  headers.set("accept-ranges", "bytes");
  headers.append("vary", "Accept-Encoding");
  const variant = await findPrecompressed(request, options.root, path);
  if (variant !== undefined) {
    ({ path, info } = variant);
    headers.set("content-encoding", variant.encoding);
  }
  headers.set("etag", weakEtag(info, variant ? `-${variant.encoding}` : ""));
  const lastModified = info.mtime ? httpDate(info.mtime) : undefined;
  if (lastModified !== undefined) headers.set("last-modified", lastModified);
  setCacheHeaders(headers, options.cacheTimeout);
  if (isNotModified(request, headers.get("etag")!, info.mtime)) {
    return new Response(null, { status: 304, headers });
  }
  const range = ifRangeAllows(request, lastModified)
    ? parseRange(request.headers.get("range"), info.size)
    : undefined;
  if (range === "unsatisfiable") {
    headers.set("content-range", `bytes */${info.size}`);
    headers.delete("content-encoding");
    return plainResponse(416, undefined, headers);
  }
  const start = range?.start ?? 0;
  const length = range ? range.end - range.start + 1 : info.size;
  if (range) {
    headers.set("content-range", `bytes ${start}-${range.end}/${info.size}`);
  }
  headers.set("content-length", String(length));
  const status = range ? 206 : 200;
  if (request.method === "HEAD") {
    return new Response(null, { status, headers });
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.PermissionDenied)) throw error;
    headers.delete("content-length");
    return plainResponse(403, undefined, headers);
  }
  if (range === undefined) {
    return new Response(file.readable, { status, headers });
  }
  try {
    await file.seek(start, Deno.SeekMode.Start);
  } catch (error) {
    file.close();
    throw error;
  }
  return new Response(limitedFileStream(file, length), { status, headers });
}

function setCacheHeaders(headers: Headers, timeout: number | null): void {
  if (timeout === null) return;
  headers.set("cache-control", `max-age=${timeout}, public`);
  headers.set("expires", httpDate(new Date(Date.now() + timeout * 1000)));
}

async function findPrecompressed(
  request: Request,
  root: string,
  path: string,
): Promise<
  { path: string; info: Deno.FileInfo; encoding: string } | undefined
> {
  for (
    const { encoding, suffix } of acceptedEncodings(
      request.headers.get("accept-encoding"),
    )
  ) {
    try {
      const real = await Deno.realPath(path + suffix);
      if (!isInside(root, real)) continue;
      const info = await Deno.stat(real);
      if (info.isFile) return { path: real, info, encoding };
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }
  return undefined;
}
