/**
 * The API for code running in a hosted app (a `"type": "wsgi"` path): the
 * app's own session on the node's WAMP router, reached over an in-process
 * channel from the worker's host, with no socket and no second connection
 * to configure.
 *
 * Give the path a `wamp` config with the realm and role the app's session
 * joins; the role's permissions apply as for any other session, and the
 * session shows up in the meta API. Without that config `wamp()` rejects
 * with {@link WampUnavailableError} and the app has no router access.
 *
 * ```jsonc
 * "app": {
 *   "type": "wsgi", "module": "app", "object": "app",
 *   "wamp": { "realm": "realm1", "role": "backend" }
 * }
 * ```
 *
 * Each worker of the pool has its own session. A worker that is replaced
 * (crash, timeout, recycle) takes its registrations and subscriptions
 * with it; the new worker runs the app module again, so register and
 * subscribe at module top level and they come back by themselves. Use
 * `invoke: "roundrobin"` so that every worker of a pool can register the
 * same procedure and calls spread across them.
 *
 * Router errors reject with {@link WampError} (`uri`, `args`, `kwargs`);
 * throw one from a procedure to answer with an application error.
 *
 * @example A Hono app that publishes and serves a procedure
 * ```ts ignore
 * import { Hono } from "hono";
 * import { Result, wamp, WampError } from "crossbar/app";
 *
 * const session = await wamp();
 * await session.register("com.example.add", ([a, b]) => {
 *   if (typeof a !== "number" || typeof b !== "number") {
 *     throw new WampError("com.example.invalid_argument", ["numbers only"]);
 *   }
 *   return a + b;
 * }, { invoke: "roundrobin" });
 * await session.register("com.example.countdown", async (_args, _kw, d) => {
 *   for (let i = 3; i > 0; i--) d.progress?.([i]);
 *   return new Result(["liftoff"], { at: Date.now() });
 * }, { invoke: "roundrobin" });
 *
 * export const app = new Hono();
 * app.post("/say", async (c) => {
 *   const text = (await c.req.formData()).get("text");
 *   await session.publish("com.example.said", [String(text)], {}, {
 *     acknowledge: true,
 *   });
 *   return c.redirect("/");
 * });
 *
 * // Elsewhere: events as an async iterable, progressive results too.
 * const news = await session.subscribe("com.example.news");
 * (async () => {
 *   for await (const event of news) console.log(event.args);
 * })();
 * for await (const r of session.callProgressive("com.example.countdown")) {
 *   console.log(r.progress ? "progress" : "final", r.args);
 * }
 * ```
 *
 * @module
 */
export { wamp } from "./wamp.ts";
export type { AppSession } from "./app_session.ts";
export { WampUnavailableError } from "./errors.ts";
export { WampError } from "../wamp/errors.ts";
export { Result } from "../wamp/client/types.ts";
export type {
  AppEvent,
  AppEventHandler,
  AppProcedure,
  CallOptions,
  CallResult,
  EventDetails,
  InvocationDetails,
  Kwargs,
  MatchPolicy,
  ProgressiveCallOptions,
  ProgressiveResult,
  PublishOptions,
  RegisterOptions,
  Registration,
  SubscribeOptions,
  Subscription,
} from "./types.ts";
