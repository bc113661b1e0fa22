/**
 * Maps the raw rest of a URL path onto a file below a root folder without
 * ever leaving it. Shared by the static and CGI services.
 *
 * @module
 */
import { join, sep as SEP } from "node:path";

/** A URL path split into safe, decoded file name segments. */
export interface SafeSegments {
  /** Decoded segments, none empty, `.`, `..`, or holding separators. */
  readonly segments: string[];
  /** Whether the URL path ended with `/`. */
  readonly trailingSlash: boolean;
}

// deno-lint-ignore no-control-regex
const FORBIDDEN_CHARS_REGEXP = /[\\/\x00-\x1f\x7f]/;

/**
 * Splits a raw (percent-encoded) path such as `/a/b%20c/` into decoded
 * segments. Returns `undefined` for anything that could name a file outside
 * the root or a hidden file: `.`/`..` segments (also encoded), encoded `/`,
 * any backslash, NUL and control bytes, bad percent-encoding, and segments
 * starting with a dot (hidden files; `.well-known` is allowed).
 */
export function splitSafePath(rest: string): SafeSegments | undefined {
  if (!rest.startsWith("/") || rest.includes("\\")) return undefined;
  const segments: string[] = [];
  for (const raw of rest.split("/")) {
    if (raw === "") continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (FORBIDDEN_CHARS_REGEXP.test(segment)) return undefined;
    if (segment.startsWith(".") && segment !== ".well-known") return undefined;
    segments.push(segment);
  }
  return { segments, trailingSlash: rest.endsWith("/") };
}

/** Where a path led: a real file-system entry inside the root, or nothing. */
export type Resolved =
  | {
    readonly kind: "found";
    readonly path: string;
    readonly info: Deno.FileInfo;
  }
  | { readonly kind: "missing" }
  | { readonly kind: "outside" };

/**
 * Resolves `segments` below `realRoot` (itself already a real path),
 * following symlinks with `Deno.realPath` and refusing any result that is
 * not the root or inside it.
 */
export async function resolveInside(
  realRoot: string,
  segments: readonly string[],
): Promise<Resolved> {
  let real: string;
  try {
    real = await Deno.realPath(join(realRoot, ...segments));
  } catch (error) {
    if (isMissing(error)) return { kind: "missing" };
    throw error;
  }
  if (!isInside(realRoot, real)) return { kind: "outside" };
  const info = await Deno.stat(real);
  return { kind: "found", path: real, info };
}

/** Whether `path` is `root` or below it (both real, absolute paths). */
export function isInside(root: string, path: string): boolean {
  if (path === root) return true;
  const base = root.endsWith(SEP) ? root : root + SEP;
  return path.startsWith(base);
}

/** Whether a file-system error means "there is nothing there". */
export function isMissing(error: unknown): boolean {
  return error instanceof Deno.errors.NotFound ||
    error instanceof Deno.errors.NotADirectory ||
    (error instanceof Error &&
      (/ENAMETOOLONG|ELOOP/.test(error.message) ||
        ["ENAMETOOLONG", "ELOOP"].includes(
          (error as { code?: string }).code ?? "",
        )));
}

/**
 * Returns a function that resolves `directory` to its real path once and
 * caches it; a failure is not cached, so a folder created later still works.
 */
export function lazyRealRoot(directory: string): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= Deno.realPath(directory).catch((error) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}
