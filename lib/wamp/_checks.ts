/**
 * Private helpers shared by the broker and the dealer: option readers that
 * validate at the boundary, URI checks, and the sync-or-async authorization
 * step, all against the `Gate` the realm gives them (`peer.ts`).
 *
 * @module
 */
import type { Action, Authorization } from "./authorization.ts";
import type { Gate, Peer } from "./peer.ts";
import { ProtocolViolationError, WAMP_ERRORS, WampError } from "./errors.ts";
import { type Dict, isId } from "./messages.ts";
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
 * realm, or when a client uses a reserved `wamp.`/`crossbar.` URI for an
 * action only the router may do.
 */
export function checkUri<P extends Peer>(
  gate: Gate<P>,
  peer: P,
  uri: string,
  match: MatchPolicy,
  action: Action | "unsubscribe",
): void {
  if (!isValidUri(uri, match, gate.uriCheck)) {
    throw new WampError(WAMP_ERRORS.INVALID_URI, [
      `Invalid URI "${uri}" for ${action} (match "${match}", uri_check "${gate.uriCheck}")`,
    ]);
  }
  if (
    (action === "register" || action === "publish") &&
    (uri.startsWith("wamp.") || uri.startsWith("crossbar.")) &&
    !gate.isTrusted(peer)
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

function denied(peer: Peer, uri: string, action: Action): WampError {
  return new WampError(WAMP_ERRORS.NOT_AUTHORIZED, [
    `Session ${peer.id} (authid "${peer.authid}", authrole "${peer.authrole}") is not authorized to ${
      ACTION_PHRASE[action]
    } "${uri}"`,
  ]);
}

/**
 * Authorizes `action` on `uri` for `peer` and runs `then` with the decision
 * when allowed; throws (or reports through the gate, when the decision was
 * asynchronous) `wamp.error.not_authorized` otherwise.
 */
export function authorizeThen<P extends Peer>(
  gate: Gate<P>,
  peer: P,
  message: WampMessage,
  request: { uri: string; action: Action; options: Dict },
  then: (authorization: Authorization) => void,
): void {
  const { uri, action, options } = request;
  const result = gate.authorize(peer, uri, action, options);
  if (!(result instanceof Promise)) {
    if (!result.allow) throw denied(peer, uri, action);
    then(result);
    return;
  }
  result.then((authorization) => {
    if (!gate.isActive(peer)) return;
    try {
      if (!authorization.allow) throw denied(peer, uri, action);
      then(authorization);
    } catch (error) {
      gate.failed(peer, error, message);
    }
  }, (error) => {
    if (gate.isActive(peer)) gate.failed(peer, error, message);
  });
}
