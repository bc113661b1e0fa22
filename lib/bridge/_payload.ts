/**
 * Validation of the JSON request bodies of the publisher and caller, and
 * the mapping of WAMP errors to Crossbar's answers.
 */
import { WampError } from "../wamp/errors.ts";
import { BridgeHttpError } from "./_errors.ts";
import type { BridgeAnswer } from "./_service.ts";

type Dict = Record<string, unknown>;

/**
 * Reads a required, non-empty string field.
 *
 * @param body The request object.
 * @param name The field.
 * @returns The value.
 * @throws {BridgeHttpError} 400 when missing or not a string.
 */
export function requireUri(body: Dict, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) {
    throw new BridgeHttpError(
      400,
      `Request body is missing the key "${name}"`,
    );
  }
  if (typeof value !== "string" || value === "") {
    throw new BridgeHttpError(
      400,
      `Invalid "${name}": expected a non-empty string`,
    );
  }
  return value;
}

/**
 * Reads `args` and `kwargs` (absent or null means empty).
 *
 * @param body The request object.
 * @returns The payload.
 * @throws {BridgeHttpError} 400 when `args` is not a list or `kwargs` not an object.
 */
export function readPayload(body: Dict): { args: unknown[]; kwargs: Dict } {
  const args = body.args ?? [];
  const kwargs = body.kwargs ?? {};
  if (!Array.isArray(args)) {
    throw new BridgeHttpError(400, 'Invalid "args": expected a list');
  }
  if (!isDict(kwargs)) {
    throw new BridgeHttpError(400, 'Invalid "kwargs": expected an object');
  }
  return { args, kwargs };
}

/**
 * Reads `options` (absent or null means none) as an object.
 *
 * @param body The request object.
 * @returns The options.
 * @throws {BridgeHttpError} 400 when not an object.
 */
export function readOptions(body: Dict): Dict {
  const options = body.options ?? {};
  if (!isDict(options)) {
    throw new BridgeHttpError(400, 'Invalid "options": expected an object');
  }
  return options;
}

/**
 * Tells whether a value is a plain JSON object.
 *
 * @param value Any value.
 * @returns Whether it is a non-null, non-list object.
 */
export function isDict(value: unknown): value is Dict {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Maps a failed publish or call to Crossbar's answer: a WAMP application
 * error is 200 `{error, args, kwargs}`; anything else (including a lost
 * session) is rethrown for the generic 500.
 *
 * @param error What the session rejected with.
 * @returns The answer.
 * @throws {unknown} `error` itself when it is not a WAMP application error.
 */
export function wampErrorAnswer(error: unknown): BridgeAnswer {
  if (!(error instanceof WampError) || error.uri.startsWith("wamp.close.")) {
    throw error;
  }
  return {
    status: 200,
    body: JSON.stringify({
      error: error.uri,
      args: error.args,
      kwargs: error.kwargs,
    }),
  };
}
