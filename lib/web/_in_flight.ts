/**
 * Requests in progress on a `Deno.serve` listener, for a graceful close.
 *
 * `Deno.HttpServer.shutdown()` stops reading request bodies at once (an
 * upload in flight fails with "Cannot read request body as underlying
 * resource unavailable"), so the transport first waits here until every
 * request in progress has been answered (or the grace deadline passed),
 * answering new ones 503 meanwhile, and only then shuts the server down;
 * responses still streaming then finish during the shutdown.
 *
 * @module
 */
import { errorResponse } from "./error_page.ts";

/** Counts requests in progress and drains them on close. */
export class InFlight {
  #count = 0;
  #closing = false;
  #idle: (() => void)[] = [];

  /**
   * Runs `handle` for one request, counted; once closing, answers 503
   * (with `Connection: close`) instead.
   *
   * @param handle Produces the response.
   * @returns The response.
   */
  async run(handle: () => Promise<Response>): Promise<Response> {
    if (this.#closing) {
      return errorResponse(503, undefined, { connection: "close" });
    }
    this.#count++;
    try {
      return await handle();
    } finally {
      if (--this.#count === 0) {
        for (const wake of this.#idle.splice(0)) wake();
      }
    }
  }

  /**
   * Stops taking requests and resolves once none is in progress, or at
   * `deadline` (a `Date.now()` value), whichever comes first.
   *
   * @param deadline When to stop waiting.
   */
  async drain(deadline: number): Promise<void> {
    this.#closing = true;
    if (this.#count === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      this.#idle.push(resolve);
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    });
    clearTimeout(timer);
  }
}
