/**
 * The web transport's path table: maps URL path prefixes made of whole
 * segments to services, and finds the longest one that matches a request.
 *
 * @module
 */

/** A successful lookup in a {@link PathTable}. */
export interface PathMatch<T> {
  /** The matched prefix (`""` for the root, else `/a` or `/a/b`). */
  readonly prefix: string;
  /** The service mounted there. */
  readonly service: T;
  /** The raw rest of the path below the prefix, starting with `/`. */
  readonly rest: string;
}

/** A key segment: letters, digits, `_` and `-`, as Crossbar's path keys. */
const SEGMENT_REGEXP = /^[A-Za-z0-9_\-]+$/;

/**
 * Turns a path key into a table prefix: `"/"` or `""` is the root (`""`),
 * `"ws"` is `/ws`, `"api/v2"` is `/api/v2`. A leading slash is allowed.
 *
 * @param key A path key as written in config.
 * @returns The normalised prefix.
 * @throws {TypeError} When a segment has characters outside `[A-Za-z0-9_-]`
 * or is empty.
 */
export function normalizePathKey(key: string): string {
  if (key === "/" || key === "") return "";
  const trimmed = key.startsWith("/") ? key.slice(1) : key;
  const segments = trimmed.split("/");
  for (const segment of segments) {
    if (!SEGMENT_REGEXP.test(segment)) {
      throw new TypeError(
        `Cannot use path key "${key}": each segment must match ${SEGMENT_REGEXP.source}`,
      );
    }
  }
  return "/" + segments.join("/");
}

/**
 * Longest-prefix path table over whole segments: `/api` matches `/api` and
 * `/api/x` but never `/apix`. A service at `""` (the root) gets every path
 * no other entry claims.
 *
 * Segments of the request path are percent-decoded before comparison, so
 * `/%61pi` reaches `/api`; the `rest` handed on stays raw.
 *
 * @example Match a request path
 * ```ts
 * import { PathTable } from "./path_table.ts";
 * const table = new PathTable<string>();
 * table.add("", "root");
 * table.add("/api", "api");
 * const hit = table.match("/api/users");
 * if (hit?.service !== "api" || hit.rest !== "/users") throw new Error();
 * if (table.match("/apix")?.service !== "root") throw new Error();
 * ```
 */
export class PathTable<T> {
  #entries = new Map<string, T>();
  #maxDepth = 0;

  /**
   * Mounts `service` at `prefix`.
   *
   * @param prefix A normalised prefix (see {@link normalizePathKey}).
   * @param service The service.
   * @throws {Error} When the prefix is already taken.
   */
  add(prefix: string, service: T): void {
    if (this.#entries.has(prefix)) {
      throw new Error(
        `Cannot mount a service at "${
          prefix || "/"
        }": the path is already mapped`,
      );
    }
    this.#entries.set(prefix, service);
    if (prefix !== "") {
      this.#maxDepth = Math.max(this.#maxDepth, prefix.split("/").length - 1);
    }
  }

  /** Every mounted entry, in insertion order. */
  entries(): [prefix: string, service: T][] {
    return [...this.#entries];
  }

  /**
   * Finds the service for a raw URL path (`/a/b`, as in `URL.pathname`).
   *
   * @param pathname The request path, starting with `/`.
   * @returns The match, or `undefined` when nothing (not even a root) claims it.
   */
  match(pathname: string): PathMatch<T> | undefined {
    if (this.#maxDepth > 0) {
      const hit = this.#matchDeep(pathname);
      if (hit) return hit;
    }
    const root = this.#entries.get("");
    return root === undefined
      ? undefined
      : { prefix: "", service: root, rest: pathname };
  }

  #matchDeep(pathname: string): PathMatch<T> | undefined {
    // Offsets of the slashes that end each of the first maxDepth segments.
    const ends: number[] = [];
    let at = 0;
    while (ends.length < this.#maxDepth) {
      const next = pathname.indexOf("/", at + 1);
      ends.push(next === -1 ? pathname.length : next);
      if (next === -1) break;
      at = next;
    }
    const encoded = pathname.includes("%");
    for (let n = ends.length; n >= 1; n--) {
      const end = ends[n - 1]!;
      const raw = pathname.slice(0, end);
      const key = encoded ? decodeKey(raw) : raw;
      if (key === undefined) continue;
      const service = this.#entries.get(key);
      if (service !== undefined) {
        return { prefix: key, service, rest: pathname.slice(end) || "/" };
      }
    }
    return undefined;
  }
}

function decodeKey(raw: string): string | undefined {
  try {
    return raw.split("/").map(decodeURIComponent).join("/");
  } catch {
    return undefined;
  }
}
