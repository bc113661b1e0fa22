/**
 * Option and result types of the app API.
 *
 * @module
 */
import type { EventDetails, InvocationDetails } from "../wamp/client/types.ts";

export type { EventDetails, InvocationDetails };

/** A WAMP keyword payload. */
export type Kwargs = Record<string, unknown>;

/** Options for {@link AppSession.publish}. */
export interface PublishOptions {
  /** Wait for the router's PUBLISHED (and get errors). @default {false} */
  acknowledge?: boolean;
  /** Leave out the publishing session itself. @default {true} */
  excludeMe?: boolean;
  /** Session ids that must not receive the event. */
  exclude?: number[];
  /** Only these session ids may receive the event. */
  eligible?: number[];
  /** Authids that must not receive the event. */
  excludeAuthid?: string[];
  /** Only sessions with these authids may receive the event. */
  eligibleAuthid?: string[];
  /** Roles that must not receive the event. */
  excludeAuthrole?: string[];
  /** Only sessions with these roles may receive the event. */
  eligibleAuthrole?: string[];
  /** Keep the event as the topic's retained event. @default {false} */
  retain?: boolean;
  /** Show this session's id to subscribers. @default {false} */
  discloseMe?: boolean;
}

/** Options for {@link AppSession.call}. */
export interface CallOptions {
  /** Aborting cancels the call and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Receives progressive results (asks the callee for them). */
  onProgress?: (args: unknown[], kwargs: Kwargs) => void;
  /** Router-side timeout in milliseconds (`wamp.error.timeout`). */
  timeout?: number;
  /** How an abort cancels the call. @default {"killnowait"} */
  cancelMode?: "skip" | "kill" | "killnowait";
  /** Show this session's id to the callee. @default {false} */
  discloseMe?: boolean;
}

/** Options for {@link AppSession.callProgressive}. */
export type ProgressiveCallOptions = Omit<CallOptions, "onProgress">;

/** The outcome of a call. */
export interface CallResult {
  /** Positional results (`[]` when none). */
  args: unknown[];
  /** Keyword results (`{}` when none). */
  kwargs: Kwargs;
}

/** One item of {@link AppSession.callProgressive}. */
export interface ProgressiveResult extends CallResult {
  /** `true` for a progressive result, `false` for the final one. */
  progress: boolean;
}

/** How a subscription or registration URI is matched. */
export type MatchPolicy = "exact" | "prefix" | "wildcard";

/** Options for {@link AppSession.subscribe}. */
export interface SubscribeOptions {
  /** URI matching. @default {"exact"} */
  match?: MatchPolicy;
  /** Deliver the topic's retained event first. @default {false} */
  getRetained?: boolean;
  /**
   * Events kept for `for await` while the loop is busy (and, without a
   * handler, before it starts); past this the oldest are dropped.
   * @default {1024}
   */
  buffer?: number;
}

/** One received event. */
export interface AppEvent {
  /** Positional payload. */
  args: unknown[];
  /** Keyword payload. */
  kwargs: Kwargs;
  /** Publication id, concrete topic, publisher (when disclosed). */
  details: EventDetails;
}

/** Receives events of a subscription. */
export type AppEventHandler = (
  args: unknown[],
  kwargs: Kwargs,
  details: EventDetails,
) => void;

/** Options for {@link AppSession.register}. */
export interface RegisterOptions {
  /** URI matching. @default {"exact"} */
  match?: MatchPolicy;
  /**
   * Shared registration policy: every worker of a pool registers the same
   * procedure and the router picks one per call.
   * @default {"single"}
   */
  invoke?: "single" | "roundrobin" | "random" | "first" | "last";
}

/**
 * Implements a procedure. Return a value (sent as the single positional
 * result), a `Result` (several positional and keyword results) or
 * nothing; throw a `WampError` to send an application error (any other
 * error becomes `wamp.error.runtime_error` with its message).
 * `details.progress` sends progressive results when the caller asked for
 * them, and `details.signal` aborts when the caller cancels.
 */
export type AppProcedure = (
  args: unknown[],
  kwargs: Kwargs,
  details: InvocationDetails,
) => unknown;

/** A live registration. */
export interface Registration {
  /** Registration id. */
  readonly id: number;
  /** The registered URI. */
  readonly procedure: string;
  /** Removes the registration. */
  unregister(): Promise<void>;
}

/**
 * A live subscription. Iterate it with `for await` (one loop at a time)
 * to read its events; leaving the loop early unsubscribes, and the loop
 * ends when the subscription is stopped or the session ends.
 */
export interface Subscription extends AsyncIterable<AppEvent> {
  /** Subscription id. */
  readonly id: number;
  /** The subscribed URI (or pattern). */
  readonly topic: string;
  /** Whether it is stopped (or its session ended). */
  readonly stopped: boolean;
  /** Stops delivery (idempotent). */
  unsubscribe(): Promise<void>;
}
