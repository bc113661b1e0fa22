/**
 * The app shapes the host accepts, and how to call each one.
 *
 * @module
 */

/** What the app receives next to the request (like `Deno.ServeHandlerInfo`). */
export interface AppServeInfo {
  /** The client's address. */
  readonly remoteAddr: Deno.NetAddr | Deno.UnixAddr;
  /** Settles when the response has been sent or abandoned. */
  readonly completed: Promise<void>;
}

/** A web-standard handler, as called by the worker. */
export type AppHandler = (
  request: Request,
  info: AppServeInfo,
) => Response | Promise<Response>;

const EXECUTION_CONTEXT = Object.freeze({
  waitUntil(_promise: Promise<unknown>): void {},
  passThroughOnException(): void {},
});

/**
 * Turns an exported value into a handler: a function is called as
 * `fn(request, info)`; an object with a `fetch` method (a Hono app,
 * `export default { fetch }`) as `obj.fetch(request, info, ctx)`.
 *
 * @returns The handler, or `undefined` if the value has neither shape.
 */
export function toAppHandler(value: unknown): AppHandler | undefined {
  if (typeof value === "function") {
    const source = Function.prototype.toString.call(value);
    return source.startsWith("class") ? undefined : value as AppHandler;
  }
  if (value === null || typeof value !== "object") return undefined;
  const fetch = (value as { fetch?: unknown }).fetch;
  if (typeof fetch !== "function") return undefined;
  return (request, info) => fetch.call(value, request, info, EXECUTION_CONTEXT);
}
