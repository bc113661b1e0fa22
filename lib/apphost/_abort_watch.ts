/**
 * Late subscription to client aborts. Reading `request.signal` of a
 * `Deno.serve` request costs about 25 µs in Deno 2.9.6 (more than a whole
 * bare hello-world request), so the host only subscribes for requests still
 * unanswered after {@link WATCH_DELAY_MS}: long polls, slow apps, queued
 * requests. Quick requests never touch the signal.
 *
 * @module
 */

/** How long a request may stay unanswered before its signal is watched. */
export const WATCH_DELAY_MS = 50;

/** A request that may need its abort signal watched. */
export interface Watched {
  /** `Date.now()` at arrival. */
  readonly started: number;
  /** Subscribes to the abort signal (called at most once). */
  subscribe(): void;
}

/** Subscribes watched requests once they are old enough. */
export class AbortWatch {
  #waiting = new Set<Watched>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Starts watching `item`. */
  add(item: Watched): void {
    this.#waiting.add(item);
    this.#timer ??= setInterval(() => this.#tick(), WATCH_DELAY_MS);
  }

  /** `item` was answered: stop watching it. */
  delete(item: Watched): void {
    this.#waiting.delete(item);
  }

  /** Stops the timer and forgets everything. */
  close(): void {
    this.#waiting.clear();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    const now = Date.now();
    for (const item of this.#waiting) {
      if (now - item.started < WATCH_DELAY_MS) break;
      this.#waiting.delete(item);
      item.subscribe();
    }
    if (this.#waiting.size === 0) this.close();
  }
}
