/**
 * One hosted request on its way through the pool: what the app is sent,
 * the worker serving it, its body relays, and the one thing every part
 * of the app host may do to it — answer it. {@link Exchange} is the single
 * owner of whether the client has its response (the first
 * {@link Exchange.respond} wins, later ones are ignored) and of the
 * client-abort subscription ({@link Exchange.watchAbort}).
 *
 * Who answers: the pool (503 when closed or full, 499 when the client
 * left while queued), the worker handle (the app's response, its error
 * page, 431/413, 502/504 when the worker dies or is replaced).
 *
 * @module
 */
import type { ServeContext } from "../web/path_service.ts";
import type { StreamReceiver, StreamSender } from "./_relay.ts";

/** The worker an exchange was handed to, as the exchange sees it. */
export interface ExchangeWorker {
  /** The client of `ex` went away: tell the app and forget the request. */
  cancel(ex: Exchange): void;
}

/** What an exchange is made of (fixed for its life). */
export interface ExchangeInit {
  /** Request id, unique per pool. */
  readonly id: number;
  /** Arrival time in ms (the timeout counts from here). */
  readonly started: number;
  /** The client's request. */
  readonly request: Request;
  /** Where the request came in (prefix, remote address, abort signal). */
  readonly context: ServeContext;
  /** URL the app sees (mount prefix stripped). */
  readonly url: string;
  /** The small body, already read (sent inside the record). */
  readonly inline?: Uint8Array | undefined;
  /** A mid-sized body, already read (sent as one chunk). */
  readonly buffered?: Uint8Array<ArrayBuffer> | undefined;
  /** Whether the body is relayed as a stream. */
  readonly stream: boolean;
}

/** One request on its way through the pool; see the module doc. */
export class Exchange {
  /** Request id, unique per pool. */
  readonly id: number;
  /** Arrival time in ms (the timeout counts from here). */
  readonly started: number;
  /** The client's request. */
  readonly request: Request;
  /** Where the request came in. */
  readonly context: ServeContext;
  /** URL the app sees (mount prefix stripped). */
  readonly url: string;
  /** The small body, already read (sent inside the record). */
  readonly inline: Uint8Array | undefined;
  /** A mid-sized body, already read (sent as one chunk). */
  readonly buffered: Uint8Array<ArrayBuffer> | undefined;
  /** Whether the body is relayed as a stream. */
  readonly stream: boolean;
  /** The worker serving it, once dispatched. */
  worker: ExchangeWorker | undefined = undefined;
  /** Relays a streamed request body to the app. */
  sender: StreamSender | undefined = undefined;
  /** Relays a streamed response body from the app. */
  receiver: StreamReceiver | undefined = undefined;
  readonly #deliver: (response: Response) => void;
  #answered = false;
  #watched = false;
  #unwatch: (() => void) | undefined = undefined;

  /**
   * @param init The request's fixed parts.
   * @param deliver Gets the one response (called at most once).
   */
  constructor(init: ExchangeInit, deliver: (response: Response) => void) {
    this.id = init.id;
    this.started = init.started;
    this.request = init.request;
    this.context = init.context;
    this.url = init.url;
    this.inline = init.inline;
    this.buffered = init.buffered;
    this.stream = init.stream;
    this.#deliver = deliver;
  }

  /** Whether the client has its response (head) already. */
  get answered(): boolean {
    return this.#answered;
  }

  /** Whether the client abort is (or was) subscribed. */
  get watched(): boolean {
    return this.#watched;
  }

  /**
   * Answers the client, unless it is answered already; stops watching for
   * its abort.
   *
   * @param response The response (head; its body may still stream).
   */
  respond(response: Response): void {
    if (this.#answered) return;
    this.#answered = true;
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#deliver(response);
  }

  /**
   * Calls `onAbort` when the client goes away (at once if it has), while
   * the exchange is unanswered; subscribes once at most.
   *
   * @param onAbort What to do when the client leaves.
   */
  watchAbort(onAbort: () => void): void {
    if (this.#answered || this.#watched) return;
    this.#watched = true;
    const signal = this.context.signal;
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    this.#unwatch = () => signal.removeEventListener("abort", onAbort);
  }
}
