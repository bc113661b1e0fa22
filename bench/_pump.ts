/**
 * The closed loop the WAMP bench clients drive: a fixed number of requests
 * in flight, each reply sending the next, until time is up.
 */

/** What {@link pump} counted. */
export interface PumpResult {
  /** Replies received. */
  count: number;
  /** Seconds from the first request to the last reply. */
  seconds: number;
}

/**
 * Keeps `inFlight` requests going for `seconds`; counts completions.
 * `send(i)` sends request number `i`; `setOnReply` installs the callback
 * the client calls once per reply.
 */
export function pump(
  seconds: number,
  inFlight: number,
  send: (i: number) => void,
  setOnReply: (onReply: () => void) => void,
): Promise<PumpResult> {
  return new Promise((resolve) => {
    let count = 0;
    let sent = 0;
    let stopping = false;
    let outstanding = 0;
    const start = performance.now();
    setOnReply(() => {
      count++;
      outstanding--;
      if (!stopping) {
        send(sent++);
        outstanding++;
      } else if (outstanding === 0) {
        resolve({ count, seconds: (performance.now() - start) / 1000 });
      }
    });
    setTimeout(() => stopping = true, seconds * 1000);
    for (let i = 0; i < inFlight; i++) {
      send(sent++);
      outstanding++;
    }
  });
}
