/**
 * The app host: `"type": "wsgi"` paths, each a web app (a fetch-style
 * handler or an object with a `fetch` method, e.g. a Hono app) served by
 * its own pool of permission-restricted Web Workers.
 *
 * ```ts ignore
 * import { createWsgiService } from "./lib/apphost/mod.ts";
 * const service = await createWsgiService(
 *   { path: "/", module: "myapp", object: "app", cbdir, pythonpath: [".."] },
 *   { logger },
 * );
 * // mount `service` (a PathService) in the web transport's path table
 * ```
 *
 * With `wamp: { realm, role }` in the options and the node's router in
 * `env.router`, each worker gets its own session on that router, which the
 * app reaches with `wamp()` from `lib/app/mod.ts` (see `_wamp_access.ts`
 * for the session lifecycle).
 *
 * Metrics: `isWsgiService(service) && service.stats()` gives a path's pool
 * size, requests in flight and queued, restarts, timeouts, recycles, load
 * failures and responses by status code (see {@link WsgiStats}).
 *
 * @module
 */
export {
  checkWsgiApp,
  createWsgiService,
  isWsgiService,
  type WsgiCheckOptions,
  type WsgiService,
  type WsgiServiceEnv,
  type WsgiServiceOptions,
  type WsgiStats,
} from "./wsgi_service.ts";
export type { PoolStats } from "./worker_pool.ts";
export { ReadGrantError } from "./read_grants.ts";
export { AppLoadError, type AppLoadErrorOptions } from "./errors.ts";
export { type AppPermissions, buildWorkerPermissions } from "./permissions.ts";
export { type ResolvedModule, resolveModule } from "./resolve_module.ts";
export type { AppHandler, AppServeInfo } from "./_app_shape.ts";
