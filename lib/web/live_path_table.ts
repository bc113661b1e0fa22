/**
 * A path table whose contents can be replaced at once, for reloads: the
 * transport keeps matching against the same object while the node swaps in
 * a table of new services.
 *
 * @module
 */
import { type PathMatch, PathTable } from "./path_table.ts";

/**
 * A {@link PathTable} that delegates to a replaceable table.
 *
 * @example Swap the services behind a transport
 * ```ts
 * import { LivePathTable } from "./live_path_table.ts";
 * import { PathTable } from "./path_table.ts";
 * const live = new LivePathTable<string>();
 * live.add("", "old");
 * const next = new PathTable<string>();
 * next.add("", "new");
 * live.replace(next);
 * if (live.match("/")?.service !== "new") throw new Error();
 * ```
 */
export class LivePathTable<T> extends PathTable<T> {
  #current: PathTable<T> | undefined;

  /**
   * From now on, every lookup goes to `next` (in-flight requests keep the
   * service they already matched).
   *
   * @param next The table of new services.
   */
  replace(next: PathTable<T>): void {
    this.#current = next;
  }

  /** Every mounted entry of the current table, in insertion order. */
  override entries(): [prefix: string, service: T][] {
    return this.#current ? this.#current.entries() : super.entries();
  }

  /**
   * Finds the service for a raw URL path in the current table.
   *
   * @param pathname The request path, starting with `/`.
   * @returns The match, or `undefined`.
   */
  override match(pathname: string): PathMatch<T> | undefined {
    return this.#current
      ? this.#current.match(pathname)
      : super.match(pathname);
  }
}
