/**
 * Remembers the (key, nonce) pairs of accepted signed requests for the
 * timestamp window, so a captured request cannot be replayed (Crossbar does
 * not check this). Memory is bounded: past `maxEntries` the oldest entries
 * are dropped first.
 *
 * @module
 */

/** Options for {@link NonceCache}. */
export interface NonceCacheOptions {
  /** How long a nonce is remembered, in ms. */
  ttl: number;
  /** Most entries kept. @default {100000} */
  maxEntries?: number;
  /** Clock, for tests. @default {Date.now} */
  now?: () => number;
}

/** A bounded set of recently seen (key, nonce) pairs. */
export class NonceCache {
  #seen = new Map<string, number>();
  #ttl: number;
  #maxEntries: number;
  #now: () => number;

  /** @param options TTL, size bound and clock. */
  constructor(options: NonceCacheOptions) {
    this.#ttl = options.ttl;
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /** How many pairs are remembered now. */
  get size(): number {
    return this.#seen.size;
  }

  /**
   * Records a pair unless it was seen within the TTL.
   *
   * @param key The signing key name.
   * @param nonce The nonce as sent.
   * @returns `true` when the pair is new (and now recorded), `false` for a replay.
   */
  add(key: string, nonce: string): boolean {
    const now = this.#now();
    this.#expire(now);
    const id = `${key.length}:${key}:${nonce}`;
    const until = this.#seen.get(id);
    if (until !== undefined && until > now) return false;
    this.#seen.delete(id);
    this.#seen.set(id, now + this.#ttl);
    while (this.#seen.size > this.#maxEntries) {
      const oldest = this.#seen.keys().next().value;
      if (oldest === undefined) break;
      this.#seen.delete(oldest);
    }
    return true;
  }

  #expire(now: number): void {
    // Entries are in insertion order and share one TTL, so expiry is ordered.
    for (const [id, until] of this.#seen) {
      if (until > now) break;
      this.#seen.delete(id);
    }
  }
}
