/**
 * Types of the in-process client's API: call options and results, event
 * and procedure handlers, subscription and registration handles.
 *
 * @module
 */
import type { Dict } from "../messages.ts";

/** The outcome of a call: positional and keyword results. */
export interface CallResult {
  /** Positional results (`[]` when none). */
  args: unknown[];
  /** Keyword results (`{}` when none). */
  kwargs: Dict;
}

/**
 * Return this from a procedure handler to send several positional and/or
 * keyword results; any other value is sent as the single positional result.
 */
export class Result implements CallResult {
  /** Positional results. */
  args: unknown[];
  /** Keyword results. */
  kwargs: Dict;

  /**
   * @param args Positional results.
   * @param kwargs Keyword results.
   */
  constructor(args: unknown[] = [], kwargs: Dict = {}) {
    this.args = args;
    this.kwargs = kwargs;
  }
}

/** Options for {@link WampClient.call}. */
export interface CallOptions {
  /** Receives progressive results. */
  onProgress?: (args: unknown[], kwargs: Dict) => void;
  /** Aborting sends CANCEL and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Router-side timeout in milliseconds (`wamp.error.timeout`). */
  timeout?: number;
  /** How to cancel on abort. @default {"killnowait"} */
  cancelMode?: "skip" | "kill" | "killnowait";
  /** Ask the router to disclose this caller to the callee. */
  discloseMe?: boolean;
}

/** Details passed to an event handler. */
export interface EventDetails extends Dict {
  /** The publication id. */
  publication: number;
  /** The concrete topic (pattern subscriptions). */
  topic?: string;
  /** The publisher's session id, when disclosed. */
  publisher?: number;
}

/** Receives events of a subscription. */
export type EventHandler = (
  args: unknown[],
  kwargs: Dict,
  details: EventDetails,
) => void;

/** Details passed to a procedure handler. */
export interface InvocationDetails extends Dict {
  /** The concrete procedure (pattern registrations). */
  procedure?: string;
  /** The caller's session id, when disclosed. */
  caller?: number;
  /** Sends a progressive result, when the caller asked for them. */
  progress?: (args?: unknown[], kwargs?: Dict) => void;
  /** Aborted when the caller cancels (INTERRUPT). */
  signal: AbortSignal;
}

/**
 * Implements a procedure. Return a value (sent as the single positional
 * result), a {@link Result}, or nothing; throw {@link WampError} to send an
 * application error.
 */
export type ProcedureHandler = (
  args: unknown[],
  kwargs: Dict,
  details: InvocationDetails,
) => unknown;

/** A live subscription of a client. */
export interface ClientSubscription {
  /** Subscription id. */
  readonly id: number;
  /** Stops delivery to this handler. */
  unsubscribe(): Promise<void>;
}

/** A live registration of a client. */
export interface ClientRegistration {
  /** Registration id. */
  readonly id: number;
  /** Removes the registration. */
  unregister(): Promise<void>;
}

/** Details of the welcome, as the router sent it. */
export interface Welcome {
  /** Session id. */
  readonly sessionId: number;
  /** WELCOME details. */
  readonly details: Dict;
}
