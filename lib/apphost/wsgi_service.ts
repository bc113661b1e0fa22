/**
 * The `"type": "wsgi"` path service: a web app hosted on a pool of Web
 * Workers. Request lifecycle:
 *
 * 1. `wsgi_service.ts` `handle()`: checks the body size, reads a small body
 *    or marks a large one for streaming, strips the mount prefix, and wraps
 *    the request in an `Exchange` (`_exchange.ts`): the one owner of its
 *    answer (first response wins) and of its client-abort subscription.
 * 2. `worker_pool.ts` `submit()`: picks the least busy worker, or queues
 *    (503 when the queue is full), growing the pool toward `maxthreads`.
 * 3. `_worker_handle.ts` `dispatch()`: writes the request record into the
 *    worker's ring; large bodies follow over the port with credit.
 * 4. `_worker_app_host.ts` (in the worker): builds the `Request`, calls the
 *    app, writes the response record (small body inline, else streamed).
 * 5. `_worker_handle.ts`: builds the `Response` for `Deno.serve`.
 *
 * @module
 */
import { type Logger, SILENT_LOGGER } from "../log/logger.ts";
import type { PathService, ServeContext } from "../web/path_service.ts";
import { BUFFER_MAX, INLINE_MAX } from "./_protocol.ts";
import { plainResponse } from "./_responses.ts";
import { Exchange } from "./_exchange.ts";
import { buildWorkerPermissions } from "./permissions.ts";
import {
  moduleDir,
  type ResolvedModule,
  resolveModule,
} from "./resolve_module.ts";
import { ReadGrantError } from "./read_grants.ts";
import { AppLoadError } from "./errors.ts";
import { type PoolStats, WorkerPool } from "./worker_pool.ts";
import { WampAccess, type WampAccessConfig } from "./_wamp_access.ts";
import { createRouter, type Router } from "../wamp/router.ts";
import type { WsgiServiceConfig } from "../config/mod.ts";

/**
 * Options of a wsgi service: the path's validated config (the schema's
 * output, so every default is already applied) plus what the node knows
 * about the path.
 */
export type WsgiServiceOptions = WsgiServiceConfig & {
  /** Mount path, for log messages (e.g. `"/app"`, `"/"`). */
  path: string;
  /** Absolute node directory (`.crossbar`). */
  cbdir: string;
  /** Module search folders, relative to `cbdir` (the router's `pythonpath`). */
  pythonpath: string[];
  /**
   * Put the stack trace of an app error into the 500 response (the web
   * transport's `display_tracebacks`).
   * **Security:** leaks code details to clients; for development only.
   */
  "display_tracebacks": boolean;
};

/** Options of {@link checkWsgiApp}: those of a service, less the transport's. */
export type WsgiCheckOptions = Omit<WsgiServiceOptions, "display_tracebacks">;

/** What the node gives a service. */
export interface WsgiServiceEnv {
  /** Where the service logs. */
  logger: Logger;
  /** The node's router; required when the options have `wamp`. */
  router?: Router;
}

/**
 * Read-only statistics of a wsgi path (for metrics): the pool's gauges and
 * counters, and the responses sent so far by status code.
 */
export interface WsgiStats extends PoolStats {
  /** Responses by HTTP status code (`"200"`, `"502"` …), since start. */
  responses: Record<string, number>;
}

/** A running wsgi service. */
export interface WsgiService extends PathService, AsyncDisposable {
  /** The service type, `"wsgi"`. */
  readonly type: "wsgi";
  /**
   * A snapshot of the path's statistics; cheap, never blocks.
   *
   * @returns Fresh counters (the caller may keep or change them).
   */
  stats(): WsgiStats;
  /** Stops taking requests; in-flight ones get until `deadline`. */
  close(deadline?: number): Promise<void>;
}

/**
 * Whether a path service is a wsgi service (and so has `stats()`).
 *
 * @param service Any path service.
 * @returns `true` for a service made by {@link createWsgiService}.
 */
export function isWsgiService(service: PathService): service is WsgiService {
  return service instanceof WsgiServiceImpl;
}

class WsgiServiceImpl implements WsgiService {
  readonly type = "wsgi";
  #responses = new Map<number, number>();
  #pool: WorkerPool;
  #maxBodySize: number | undefined;
  #nextId = 1;
  #closed = false;
  /** Requests whose body is still being read (admitted before a close). */
  #reading = 0;
  #readDone: (() => void) | undefined;

  constructor(pool: WorkerPool, maxBodySize: number | undefined) {
    this.#pool = pool;
    this.#maxBodySize = maxBodySize;
  }

  handle(request: Request, context: ServeContext): Promise<Response> {
    if (this.#closed) return Promise.resolve(plainResponse(503));
    const method = request.method;
    // `request.body` is not free: only look at it when a body is possible.
    if (method !== "GET" && method !== "HEAD" && request.body !== null) {
      return this.#handleWithBody(request, context);
    }
    return this.#submit(request, context, undefined, false);
  }

  async #handleWithBody(
    request: Request,
    context: ServeContext,
  ): Promise<Response> {
    const header = request.headers.get("content-length");
    const length = header === null ? NaN : Number(header);
    const max = this.#maxBodySize;
    if (max !== undefined && length > max) return plainResponse(413);
    if (!(length <= BUFFER_MAX)) {
      return await this.#submit(request, context, undefined, true);
    }
    let body: Uint8Array<ArrayBuffer>;
    this.#reading++;
    try {
      body = await request.bytes();
    } catch {
      return plainResponse(499);
    } finally {
      if (--this.#reading === 0) this.#readDone?.();
    }
    // Small: inside the ring record; up to BUFFER_MAX: one transferred chunk.
    return body.byteLength <= INLINE_MAX
      ? await this.#submit(request, context, body, false)
      : await this.#submit(request, context, body, true);
  }

  #submit(
    request: Request,
    context: ServeContext,
    body: Uint8Array<ArrayBuffer> | undefined,
    stream: boolean,
  ): Promise<Response> {
    const url = request.url;
    const origin = url.slice(0, url.indexOf("/", url.indexOf("//") + 2));
    const pool = this.#pool;
    return new Promise<Response>((resolve) => {
      pool.submit(
        new Exchange({
          id: this.#nextId++ >>> 0,
          started: Date.now(),
          request,
          context,
          url: origin + context.rest + context.search,
          inline: stream ? undefined : body,
          buffered: stream ? body : undefined,
          stream,
        }, (response) => {
          const n = this.#responses.get(response.status) ?? 0;
          this.#responses.set(response.status, n + 1);
          resolve(response);
        }),
      );
    });
  }

  stats(): WsgiStats {
    const responses: Record<string, number> = {};
    for (const [status, n] of this.#responses) responses[String(status)] = n;
    return { ...this.#pool.stats(), responses };
  }

  async close(deadline: number = Date.now() + 10_000): Promise<void> {
    this.#closed = true;
    // Uploads admitted before the close finish reading within the grace
    // period and are then served like any request in flight.
    if (this.#reading > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#readDone = resolve),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        }),
      ]);
      clearTimeout(timer);
    }
    await this.#pool.close(deadline);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Starts a wsgi service: resolves the module, starts the first workers and
 * waits until the app is loaded in them.
 *
 * @param options The path's config.
 * @param env Logger, and the router when `options.wamp` is set.
 * @returns The service, ready to mount; close it with `close(deadline)`.
 * @throws {WampError} If `options.wamp` names an unknown realm or role.
 * @throws {AppLoadError} If the module is missing, fails to import, or
 * has no usable export.
 *
 * @example Host an app at /app
 * ```ts ignore
 * import { createWsgiService } from "./mod.ts";
 * import { SILENT_LOGGER } from "../log/mod.ts";
 * const service = await createWsgiService({
 *   path: "/app", module: "myapp", object: "default",
 *   cbdir: "/srv/project/.crossbar", pythonpath: [".."],
 * }, { logger: SILENT_LOGGER });
 * await service.close();
 * ```
 */
export async function createWsgiService(
  options: WsgiServiceOptions,
  env: WsgiServiceEnv,
): Promise<WsgiService> {
  const resolved = await resolveModule(options.module, options);
  // The schema settles `workers`/`minthreads`/`maxthreads` into the bounds.
  const { minthreads: min, maxthreads: max } = options;
  if (!(max >= 1 && min >= 0)) {
    throw new RangeError(`Invalid pool size for path "${options.path}"`);
  }
  const pool = new WorkerPool({
    specifier: resolved.specifier,
    module: options.module,
    path: resolved.path,
    object: options.object,
    wamp: wampAccess(options, env.router),
    permissions: appPermissions(options, resolved),
    mount: options.path,
    min,
    max,
    concurrency: options.concurrency,
    maxQueue: options.max_queue,
    timeoutMs: options.timeout * 1000,
    maxRequests: options.max_requests,
    idleMs: options.idle_timeout * 1000,
    loadTimeoutMs: options.load_timeout * 1000,
    maxBodySize: options.max_body_size,
    displayTracebacks: options.display_tracebacks,
    maxMemoryMb: options.max_memory,
    recycleMemoryMb: options.recycle_memory,
    logger: env.logger,
  });
  await pool.start();
  env.logger.info(
    `path "${options.path}": wsgi app "${options.module}" started (${min}..${max} workers)`,
  );
  return new WsgiServiceImpl(pool, options.max_body_size);
}

/**
 * Checks that a wsgi app loads: resolves the module and imports it in a
 * worker with the app's permissions, then stops that worker.
 *
 * @param options The path's config.
 * @throws {AppLoadError} If the app cannot be used.
 *
 * @example Check before starting
 * ```ts ignore
 * import { checkWsgiApp } from "./mod.ts";
 * await checkWsgiApp({
 *   path: "/", module: "myapp", object: "app",
 *   cbdir: "/srv/project/.crossbar", pythonpath: [".."],
 * });
 * ```
 */
export async function checkWsgiApp(options: WsgiCheckOptions): Promise<void> {
  const resolved = await resolveModule(options.module, options);
  const permissions = appPermissions(options, resolved);
  // An app may join at import time: give it a scratch router for the check.
  const router = options.wamp === undefined
    ? undefined
    : scratchRouter(options.wamp);
  const pool = new WorkerPool({
    specifier: resolved.specifier,
    module: options.module,
    path: resolved.path,
    object: options.object,
    wamp: wampAccess(options, router),
    permissions,
    mount: options.path,
    min: 1,
    max: 1,
    concurrency: 1,
    maxQueue: 0,
    timeoutMs: undefined,
    maxRequests: undefined,
    idleMs: options.idle_timeout * 1000,
    loadTimeoutMs: options.load_timeout * 1000,
    maxBodySize: undefined,
    displayTracebacks: false,
    maxMemoryMb: options.max_memory,
    logger: SILENT_LOGGER,
  });
  try {
    await pool.start();
    await pool.close(Date.now());
  } finally {
    await router?.close();
  }
}

function appPermissions(
  options: WsgiCheckOptions,
  resolved: ResolvedModule,
): Deno.PermissionOptionsObject {
  try {
    return buildWorkerPermissions({
      cbdir: options.cbdir,
      appDir: moduleDir(resolved),
      permissions: options.permissions,
    });
  } catch (error) {
    if (!(error instanceof ReadGrantError)) throw error;
    throw new AppLoadError(
      `WSGI app at path "${options.path}" cannot start: ${error.message}`,
      { module: options.module, path: resolved.path, cause: error },
    );
  }
}

function wampAccess(
  options: WsgiCheckOptions,
  router: Router | undefined,
): WampAccess | undefined {
  if (options.wamp === undefined) return undefined;
  if (router === undefined) {
    throw new TypeError(
      `Cannot give the app at path "${options.path}" WAMP access: no router was passed to the wsgi service`,
    );
  }
  return new WampAccess(router, options.wamp, options.path);
}

function scratchRouter(config: WampAccessConfig): Router {
  const all = { call: true, register: true, publish: true, subscribe: true };
  return createRouter({
    realms: [{
      name: config.realm,
      roles: [{
        name: config.role,
        permissions: [{ uri: "", match: "prefix", allow: all }],
      }],
    }],
  });
}
