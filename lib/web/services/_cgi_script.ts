/**
 * Finding the script for a CGI request and logging its stderr.
 *
 * @module
 */
import { isInside, resolveInside } from "./_static_path.ts";

/** The script a request path names, and what follows it. */
export interface FoundScript {
  /** Real path of the script file. */
  readonly path: string;
  /** URL segments naming the script. */
  readonly segments: string[];
  /** Segments after the script (`PATH_INFO`). */
  readonly pathInfo: string[];
}

/**
 * Walks `segments` from the left below `realRoot`: folders are descended,
 * the first regular file is the script. Returns `undefined` for a missing
 * path, a folder, anything else that is not a file, or a path resolving
 * outside the root.
 */
export async function findScript(
  realRoot: string,
  segments: readonly string[],
): Promise<FoundScript | undefined> {
  for (let i = 1; i <= segments.length; i++) {
    const prefix = segments.slice(0, i);
    const found = await resolveInside(realRoot, prefix);
    if (found.kind !== "found") return undefined;
    if (found.info.isDirectory) continue;
    if (!found.info.isFile || !isInside(realRoot, found.path)) return undefined;
    return { path: found.path, segments: prefix, pathInfo: segments.slice(i) };
  }
  return undefined;
}

const MAX_LINE = 2000;

/** Reads `stream` as text and calls `log` for each non-empty line. */
export async function logLines(
  stream: ReadableStream<Uint8Array>,
  log: (line: string) => void,
): Promise<void> {
  let pending = "";
  try {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (pending + text).split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const line of lines) if (line !== "") log(line.slice(0, MAX_LINE));
      if (pending.length > MAX_LINE) {
        log(pending.slice(0, MAX_LINE));
        pending = "";
      }
    }
  } catch {
    // The process was killed; its stderr is gone.
  }
  if (pending !== "") log(pending.slice(0, MAX_LINE));
}
