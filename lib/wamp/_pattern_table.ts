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
  /** Wildcard entries grouped by component count (only those can match). */
  readonly #wildcardByLength = new Map<number, Set<E>>();
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
    if (entry.match === "wildcard") {
      const n = entry.parts.length;
      let group = this.#wildcardByLength.get(n);
      if (group === undefined) {
        group = new Set();
        this.#wildcardByLength.set(n, group);
      }
      group.add(entry);
    }
  }

  /** Removes an entry. */
  delete(entry: E): void {
    this.#table(entry.match).delete(entry.uri);
    this.#byId.delete(entry.id);
    if (entry.match === "wildcard") {
      const group = this.#wildcardByLength.get(entry.parts.length);
      group?.delete(entry);
      if (group?.size === 0) {
        this.#wildcardByLength.delete(entry.parts.length);
      }
    }
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
    if (this.#prefix.size > 0) this.#forEachPrefix(uri, visit);
    if (this.#wildcard.size > 0) {
      const parts = uri.split(".");
      const group = this.#wildcardByLength.get(parts.length);
      if (group !== undefined) {
        for (const entry of group) {
          if (wildcardMatches(entry.parts, parts)) visit(entry);
        }
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
      this.#forEachPrefix(uri, (entry) => {
        if (best === undefined || entry.uri.length > best.uri.length) {
          best = entry;
        }
      });
      if (best !== undefined) return best;
    }
    if (this.#wildcard.size > 0) {
      const parts = uri.split(".");
      const group = this.#wildcardByLength.get(parts.length);
      if (group === undefined) return undefined;
      for (const entry of group) {
        if (
          wildcardMatches(entry.parts, parts) &&
          (best === undefined || compareWildcards(entry.parts, best.parts) < 0)
        ) best = entry;
      }
    }
    return best;
  }

  /**
   * Visits prefix entries that are prefixes of `uri`: by scanning them when
   * there are few, by looking up each prefix of `uri` when there are many
   * (so the cost is O(min(entries, uri length))).
   */
  #forEachPrefix(uri: string, visit: (entry: E) => void): void {
    if (this.#prefix.size <= uri.length + 1) {
      for (const entry of this.#prefix.values()) {
        if (uri.startsWith(entry.uri)) visit(entry);
      }
      return;
    }
    for (let end = 0; end <= uri.length; end++) {
      const entry = this.#prefix.get(uri.slice(0, end));
      if (entry !== undefined) visit(entry);
    }
  }

  #table(match: MatchPolicy): Map<string, E> {
    return match === "exact"
      ? this.#exact
      : match === "prefix"
      ? this.#prefix
      : this.#wildcard;
  }
}
