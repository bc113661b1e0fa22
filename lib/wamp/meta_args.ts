/**
 * Readers of meta procedure arguments, shared by the realm's meta API and
 * the cluster's: each checks one argument and throws the WAMP error a
 * caller gets for a bad one.
 *
 * @module
 */
import { WAMP_ERRORS, WampError } from "./errors.ts";
import { type Dict, isDict, isId } from "./messages.ts";
import { isMatchPolicy, isValidUri, type MatchPolicy } from "./uri.ts";

/**
 * Reads the optional `filter_authroles` argument of `wamp.session.count`
 * and `wamp.session.list`.
 *
 * @param args The call's positional arguments.
 * @returns The roles, or `undefined` for no filter.
 * @throws {WampError} `wamp.error.invalid_argument` for a bad filter.
 */
export function readAuthroleFilter(args: unknown[]): Set<string> | undefined {
  const filter = args[0];
  if (filter === undefined || filter === null) return undefined;
  if (!Array.isArray(filter) || !filter.every((r) => typeof r === "string")) {
    throw new WampError(WAMP_ERRORS.INVALID_ARGUMENT, [
      "filter_authroles must be a list of strings",
    ]);
  }
  return new Set(filter);
}

/**
 * Reads a WAMP id argument.
 *
 * @param value The argument.
 * @param name Its name, for the error.
 * @returns The id.
 * @throws {WampError} `wamp.error.invalid_argument` when it is not an id.
 */
export function requireId(value: unknown, name: string): number {
  if (!isId(value)) {
    throw new WampError(WAMP_ERRORS.INVALID_ARGUMENT, [
      `${name} must be an integer id`,
    ]);
  }
  return value;
}

/**
 * Reads a string argument.
 *
 * @param value The argument.
 * @param name Its name, for the error.
 * @returns The string.
 * @throws {WampError} `wamp.error.invalid_argument` when it is not a string.
 */
export function requireString(value: unknown, name: string): string {
  if (typeof value !== "string") {
    throw new WampError(WAMP_ERRORS.INVALID_ARGUMENT, [
      `${name} must be a string`,
    ]);
  }
  return value;
}

/**
 * Reads the `match` option of a lookup (`exact` when absent).
 *
 * @param options The call's options argument.
 * @returns The match policy.
 * @throws {WampError} `wamp.error.invalid_argument` for an unknown policy.
 */
export function readLookupMatch(options: unknown): MatchPolicy {
  const match = isDict(options) ? options.match ?? "exact" : "exact";
  if (!isMatchPolicy(match)) {
    throw new WampError(WAMP_ERRORS.INVALID_ARGUMENT, [
      'match must be "exact", "prefix" or "wildcard"',
    ]);
  }
  return match;
}

/**
 * Reads the `reason` and `message` keywords of `wamp.session.kill*`.
 *
 * @param kwargs The call's keyword arguments.
 * @returns The close reason (default `wamp.close.killed`) and message.
 * @throws {WampError} `wamp.error.invalid_uri` or `invalid_argument`.
 */
export function readKillOptions(
  kwargs: Dict,
): { reason: string; message?: string } {
  const reason = kwargs.reason ?? WAMP_ERRORS.KILLED;
  if (typeof reason !== "string" || !isValidUri(reason, "exact", "loose")) {
    throw new WampError(WAMP_ERRORS.INVALID_URI, [
      "reason must be a valid non-empty URI",
    ]);
  }
  const message = kwargs.message;
  if (message !== undefined && typeof message !== "string") {
    throw new WampError(WAMP_ERRORS.INVALID_ARGUMENT, [
      "message must be a string",
    ]);
  }
  return message === undefined ? { reason } : { reason, message };
}
