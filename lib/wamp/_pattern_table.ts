/**
 * Private: the URI table shared by the broker (subscriptions) and the
 * dealer (registrations): entries keyed by (uri, match) with O(1) exact
 * lookup, a scan of prefix and wildcard entries only when there are any,
 * and lookup by id.
 *
 * @module
 */
import { compareWildcards, type MatchPolicy, wildcardMatches } from "./uri.ts";

/** What the table stores. */
export interface PatternEntry {
  /** Router-scope id. */
  readonly id: number;
  /** Exact URI or pattern. */
  readonly uri: string;
  /** Match policy. */
  readonly match: MatchPolicy;
  /** Pattern components (wildcard entries only). */
  readonly parts: readonly string[];
}

/** Entry ids by match policy (the meta API's `list` result). */
export interface PatternLists {
  exact: number[];
  prefix: number[];
  wildcard: number[];
}

/** A table of subscriptions or registrations. */
export class PatternTable<E extends PatternEntry> {
  readonly #exact = new Map<string, E>();
  readonly #prefix = new Map<string, E>();
  readonly #wildcard = new Map<string, E>();
  readonly #byId = new Map<number, E>();

  /** Number of entries. */
  get size(): number {
    return this.#byId.size;
  }

  /** The entry for exactly (`uri`, `match`), if any. */
  get(uri: string, match: MatchPolicy): E | undefined {
    return this.#table(match).get(uri);
  }

  /** The entry with `id`, if any. */
  byId(id: unknown): E | undefined {
    return typeof id === "number" ? this.#byId.get(id) : undefined;
  }

  /** Adds an entry (its (uri, match) must be free). */
  add(entry: E): void {
    this.#table(entry.match).set(entry.uri, entry);
    this.#byId.set(entry.id, entry);
  }

  /** Removes an entry. */
  delete(entry: E): void {
    this.#table(entry.match).delete(entry.uri);
    this.#byId.delete(entry.id);
  }

  /** Entry ids by match policy. */
  list(): PatternLists {
    const ids = (m: Map<string, E>) => [...m.values()].map((e) => e.id);
    return {
      exact: ids(this.#exact),
      prefix: ids(this.#prefix),
      wildcard: ids(this.#wildcard),
    };
  }

  /** Calls `visit` for every entry matching `uri` (pub/sub dispatch). */
  forEachMatch(uri: string, visit: (entry: E) => void): void {
    const exact = this.#exact.get(uri);
    if (exact !== undefined) visit(exact);
    if (this.#prefix.size > 0) {
      for (const entry of this.#prefix.values()) {
        if (uri.startsWith(entry.uri)) visit(entry);
      }
    }
    if (this.#wildcard.size > 0) {
      const parts = uri.split(".");
      for (const entry of this.#wildcard.values()) {
        if (wildcardMatches(entry.parts, parts)) visit(entry);
      }
    }
  }

  /**
   * The one entry that governs `uri` (call routing): exact, else the
   * longest prefix, else the best wildcard (concrete components furthest
   * left win).
   */
  best(uri: string): E | undefined {
    const exact = this.#exact.get(uri);
    if (exact !== undefined) return exact;
    let best: E | undefined;
    if (this.#prefix.size > 0) {
      for (const entry of this.#prefix.values()) {
        if (
          uri.startsWith(entry.uri) &&
          (best === undefined || entry.uri.length > best.uri.length)
        ) best = entry;
      }
      if (best !== undefined) return best;
    }
    if (this.#wildcard.size > 0) {
      const parts = uri.split(".");
      for (const entry of this.#wildcard.values()) {
        if (
          wildcardMatches(entry.parts, parts) &&
          (best === undefined || compareWildcards(entry.parts, best.parts) < 0)
        ) best = entry;
      }
    }
    return best;
  }

  #table(match: MatchPolicy): Map<string, E> {
    return match === "exact"
      ? this.#exact
      : match === "prefix"
      ? this.#prefix
      : this.#wildcard;
  }
}
