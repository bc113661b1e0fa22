/**
 * WAMP error and close reason URIs, and the two error classes the router
 * core throws: {@link WampError} (becomes an ERROR for one request) and
 * {@link ProtocolViolationError} (becomes ABORT and a closed transport).
 *
 * @module
 */

/** Error and close-reason URIs used by the router, by name. */
export const WAMP_ERRORS = {
  PROTOCOL_VIOLATION: "wamp.error.protocol_violation",
  NO_SUCH_REALM: "wamp.error.no_such_realm",
  NO_SUCH_ROLE: "wamp.error.no_such_role",
  NO_AUTH_METHOD: "wamp.error.no_auth_method",
  NOT_AUTHORIZED: "wamp.error.not_authorized",
  AUTHENTICATION_FAILED: "wamp.error.authentication_failed",
  AUTHORIZATION_FAILED: "wamp.error.authorization_failed",
  INVALID_URI: "wamp.error.invalid_uri",
  INVALID_ARGUMENT: "wamp.error.invalid_argument",
  NO_SUCH_PROCEDURE: "wamp.error.no_such_procedure",
  PROCEDURE_ALREADY_EXISTS: "wamp.error.procedure_already_exists",
  PROCEDURE_EXISTS_INVOCATION_POLICY_CONFLICT:
    "wamp.error.procedure_exists_with_different_invocation_policy",
  NO_SUCH_REGISTRATION: "wamp.error.no_such_registration",
  NO_SUCH_SUBSCRIPTION: "wamp.error.no_such_subscription",
  NO_SUCH_SESSION: "wamp.error.no_such_session",
  CANCELED: "wamp.error.canceled",
  TIMEOUT: "wamp.error.timeout",
  RUNTIME_ERROR: "wamp.error.runtime_error",
  HISTORY_UNAVAILABLE: "wamp.error.history_unavailable",
  SYSTEM_SHUTDOWN: "wamp.close.system_shutdown",
  CLOSE_REALM: "wamp.close.close_realm",
  GOODBYE_AND_OUT: "wamp.close.goodbye_and_out",
  CLOSE_NORMAL: "wamp.close.normal",
  KILLED: "wamp.close.killed",
  TRANSPORT_LOST: "wamp.close.transport_lost",
} as const;

/** One of the URIs in {@link WAMP_ERRORS}. */
export type WampErrorUri = typeof WAMP_ERRORS[keyof typeof WAMP_ERRORS];

/**
 * A WAMP application or routing error: `uri` plus optional payload. Thrown
 * inside a request handler it becomes an ERROR for that request; the
 * in-process client rejects with it.
 *
 * @example Throw from a procedure
 * ```ts
 * import { WampError } from "./errors.ts";
 * const error = new WampError("com.example.oops", ["bad input"]);
 * if (error.uri !== "com.example.oops" || error.args[0] !== "bad input") {
 *   throw new Error();
 * }
 * ```
 */
export class WampError extends Error {
  /** The error URI, e.g. `wamp.error.no_such_procedure`. */
  readonly uri: string;
  /** Positional payload. */
  readonly args: unknown[];
  /** Keyword payload. */
  readonly kwargs: Record<string, unknown>;

  /**
   * @param uri The error URI.
   * @param args Positional payload.
   * @param kwargs Keyword payload.
   * @param options Standard error options (`cause`).
   */
  constructor(
    uri: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    const first = args[0];
    super(typeof first === "string" ? `${uri}: ${first}` : uri, options);
    this.name = "WampError";
    this.uri = uri;
    this.args = args;
    this.kwargs = kwargs;
  }
}

/**
 * A peer broke the protocol (malformed or out-of-state message). The router
 * answers ABORT `wamp.error.protocol_violation` with the message as reason
 * and closes the transport.
 */
export class ProtocolViolationError extends Error {
  /**
   * @param message What was wrong, for the ABORT details.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtocolViolationError";
  }
}
