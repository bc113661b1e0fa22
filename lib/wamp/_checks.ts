/**
 * Private helpers shared by the broker and the dealer: option readers that
 * validate at the boundary, URI checks and the sync-or-async authorization
 * step.
 *
 * @module
 */
import type { Action, Authorization } from "./authorization.ts";
import { ProtocolViolationError, WAMP_ERRORS, WampError } from "./errors.ts";
import { type Dict, isId } from "./messages.ts";
import type { Session } from "./session.ts";
import type { WampMessage } from "./transport.ts";
import { isMatchPolicy, isValidUri, type MatchPolicy } from "./uri.ts";

/** Reads `options.match` (default exact). */
export function readMatch(options: Dict, message: string): MatchPolicy {
  const match = options.match ?? "exact";
  if (!isMatchPolicy(match)) {
    throw new ProtocolViolationError(
      `Invalid ${message}: option "match" must be "exact", "prefix" or "wildcard"`,
    );
  }
  return match;
}

/** Reads an optional list of session ids. */
export function readIdList(
  options: Dict,
  key: string,
  message: string,
): number[] | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every(isId)) {
    throw new ProtocolViolationError(
      `Invalid ${message}: option "${key}" must be a list of session ids`,
    );
  }
  return value;
}

/** Reads an optional list of strings. */
export function readStringList(
  options: Dict,
  key: string,
  message: string,
): string[] | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new ProtocolViolationError(
      `Invalid ${message}: option "${key}" must be a list of strings`,
    );
  }
  return value;
}

/** Reads an optional boolean option. */
export function readBool(
  options: Dict,
  key: string,
  message: string,
): boolean | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") {
    throw new ProtocolViolationError(
      `Invalid ${message}: option "${key}" must be a bool`,
    );
  }
  return value;
}

/**
 * Throws `wamp.error.invalid_uri` unless `uri` is valid for `match` on the
 * session's realm, or when a client uses a reserved `wamp.`/`crossbar.` URI
 * for an action only the router may do.
 */
export function checkUri(
  session: Session,
  uri: string,
  match: MatchPolicy,
  action: Action | "unsubscribe",
): void {
  const realm = session.realm!;
  if (!isValidUri(uri, match, realm.uriCheck)) {
    throw new WampError(WAMP_ERRORS.INVALID_URI, [
      `Invalid URI "${uri}" for ${action} (match "${match}", uri_check "${realm.uriCheck}")`,
    ]);
  }
  if (
    (action === "register" || action === "publish") &&
    (uri.startsWith("wamp.") || uri.startsWith("crossbar.")) &&
    !realm.isTrusted(session)
  ) {
    throw new WampError(WAMP_ERRORS.INVALID_URI, [
      `Cannot ${action} the reserved URI "${uri}"`,
    ]);
  }
}

const ACTION_PHRASE: Record<Action, string> = {
  call: "call procedure",
  register: "register procedure",
  publish: "publish to topic",
  subscribe: "subscribe to topic",
};

function denied(session: Session, uri: string, action: Action): WampError {
  return new WampError(WAMP_ERRORS.NOT_AUTHORIZED, [
    `Session ${session.id} (authid "${session.authid}", authrole "${session.authrole}") is not authorized to ${
      ACTION_PHRASE[action]
    } "${uri}"`,
  ]);
}

/**
 * Authorizes `action` on `uri` for `session` and runs `then` with the
 * decision when allowed; throws (or reports, when the decision was
 * asynchronous) `wamp.error.not_authorized` otherwise.
 */
export function authorizeThen(
  session: Session,
  message: WampMessage,
  uri: string,
  action: Action,
  options: Dict,
  then: (authorization: Authorization) => void,
): void {
  const realm = session.realm!;
  const result = realm.authorize(session, uri, action, options);
  if (!(result instanceof Promise)) {
    if (!result.allow) throw denied(session, uri, action);
    then(result);
    return;
  }
  result.then((authorization) => {
    if (session.realm !== realm) return;
    try {
      if (!authorization.allow) throw denied(session, uri, action);
      then(authorization);
    } catch (error) {
      session.reportAsyncError(error, message);
    }
  }, (error) => {
    if (session.realm === realm) session.reportAsyncError(error, message);
  });
}
