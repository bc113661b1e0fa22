/**
 * Late subscription to client aborts. Reading `request.signal` of a
 * `Deno.serve` request costs about 25 µs in Deno 2.9.6 (more than a whole
 * bare hello-world request), so the pool only subscribes for requests still
 * unanswered after {@link WATCH_DELAY_MS} (long polls, slow apps, queued
 * requests), from a timer that runs while requests are in flight. Quick
 * requests never touch the signal.
 *
 * @module
 */
import type { Exchange } from "./_exchange.ts";

/**
 * How long a request may stay unanswered before its signal is watched. Not
 * much shorter: under overload many requests get this old, and subscribing
 * each one would add to the load.
 */
export const WATCH_DELAY_MS = 500;

/** How often the pool looks for requests to watch. */
export const WATCH_EVERY_MS = 250;

/**
 * Subscribes `cancel` to the client abort of each exchange that is older
 * than {@link WATCH_DELAY_MS}, unanswered and not yet watched.
 *
 * @returns How many exchanges were looked at.
 */
export function watchAborts(
  exchanges: Iterable<Exchange>,
  cancel: (ex: Exchange) => void,
  now: number,
): number {
  let seen = 0;
  for (const ex of exchanges) {
    seen++;
    if (ex.answered || ex.watched) continue;
    if (now - ex.started < WATCH_DELAY_MS) continue;
    ex.watchAbort(() => cancel(ex));
  }
  return seen;
}
