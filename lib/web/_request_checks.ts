/**
 * Checks of the request line that the web transport makes before any path
 * service sees a request: methods the node does not serve and overlong
 * request targets get the node's own answer, so that no service (and no
 * hosted app) is blamed for a request it could never have handled.
 *
 * @module
 */
import { errorResponse } from "./error_page.ts";

/**
 * Longest request target (path and query) served; longer ones get 414.
 * Twisted, under Crossbar, refuses request lines over 16 KiB.
 */
export const MAX_TARGET_LENGTH = 16 * 1024;

/**
 * Methods a `Request` cannot carry (the Fetch standard forbids them) and the
 * node does not implement: a proxy tunnel and loop-back diagnostics.
 */
const FORBIDDEN = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * Methods the Fetch standard normalises to upper case. HTTP methods are
 * case-sensitive, so `get` is not `GET`: Deno passes it through unchanged,
 * and a `Request` built from it again would turn into a `GET` with a body.
 */
const NORMALISED = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);

/**
 * The node's answer to a request line it does not serve, or `undefined`
 * when the request may go on to its path service.
 *
 * - `CONNECT`, `TRACE`, `TRACK` (any case): 501 Not Implemented;
 * - a standard method in other than upper case (`get`): 501 Not Implemented
 *   (RFC 9110 §9.1: methods are case-sensitive; `get` is unknown);
 * - a request target longer than {@link MAX_TARGET_LENGTH}: 414 URI Too Long.
 *
 * @param method The method exactly as received.
 * @param url The request URL (`scheme://host` plus the target).
 * @param targetStart Where the target starts in `url`.
 * @returns The error response, or `undefined`.
 */
export function refuseRequestLine(
  method: string,
  url: string,
  targetStart: number,
): Response | undefined {
  if (url.length - targetStart > MAX_TARGET_LENGTH) {
    return errorResponse(414, undefined);
  }
  // The common case first: an upper-case method the Fetch standard knows.
  if (NORMALISED.has(method)) return undefined;
  const upper = method.toUpperCase();
  if (FORBIDDEN.has(upper) || NORMALISED.has(upper)) {
    return errorResponse(501, undefined, { allow: ALLOW });
  }
  return undefined;
}

const ALLOW = "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH";
