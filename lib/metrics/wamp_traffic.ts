/**
 * Process-wide counts of WAMP messages by direction and type, fed by the
 * router's sessions (one call per message, no allocation).
 *
 * @module
 */

/** Message type codes and names (WAMP v2). */
export const WAMP_MESSAGE_NAMES: Readonly<Record<number, string>> = {
  1: "HELLO",
  2: "WELCOME",
  3: "ABORT",
  4: "CHALLENGE",
  5: "AUTHENTICATE",
  6: "GOODBYE",
  8: "ERROR",
  16: "PUBLISH",
  17: "PUBLISHED",
  32: "SUBSCRIBE",
  33: "SUBSCRIBED",
  34: "UNSUBSCRIBE",
  35: "UNSUBSCRIBED",
  36: "EVENT",
  48: "CALL",
  49: "CANCEL",
  50: "RESULT",
  64: "REGISTER",
  65: "REGISTERED",
  66: "UNREGISTER",
  67: "UNREGISTERED",
  68: "INVOCATION",
  69: "INTERRUPT",
  70: "YIELD",
};

const received = new Float64Array(128);
const sent = new Float64Array(128);

/**
 * Counts one message.
 *
 * @param direction `"in"` (from a client) or `"out"` (to a client).
 * @param code The message's first element.
 */
export function countWampMessage(direction: "in" | "out", code: unknown): void {
  if (typeof code !== "number" || !(code >= 0 && code < 128)) return;
  (direction === "in" ? received : sent)[code | 0]!++;
}

/**
 * The counts so far.
 *
 * @returns `[direction, type name, count]` for every type seen.
 */
export function wampTraffic(): [
  direction: "in" | "out",
  type: string,
  count: number,
][] {
  const out: [("in" | "out"), string, number][] = [];
  for (
    const [direction, counts] of [["in", received], ["out", sent]] as const
  ) {
    counts.forEach((count, code) => {
      if (count > 0) {
        out.push([direction, WAMP_MESSAGE_NAMES[code] ?? String(code), count]);
      }
    });
  }
  return out;
}
