/**
 * The node: builds every router worker's WAMP router and web transports
 * from a validated config, starts them, and stops them in order.
 *
 * Start-up lifecycle:
 * 1. One WAMP router per router worker, from its `realms` (`lib/wamp/`).
 * 2. Per transport, the path tree is flattened into prefixes
 *    (`_path_tree.ts`) and each service is created in Crossbar's order
 *    (root first, then sorted keys) by `services.ts`; a wsgi app that cannot
 *    load fails the start here, before anything listens.
 * 3. Each transport listens (`endpoint.ts` → `lib/web/web_transport.ts`) and
 *    logs every path with its service and URL.
 *
 * Shutdown lifecycle (`close()`):
 * 1. Every transport stops accepting.
 * 2. Every router says GOODBYE to its sessions.
 * 3. Services finish in-flight work until the grace deadline, then stop
 *    their workers.
 * 4. Transports drain.
 *
 * @module
 */
import type {
  Config,
  PathServiceConfig,
  RouterWorkerConfig,
} from "../config/mod.ts";
import { createLogger, type Logger } from "../log/mod.ts";
import { VERSION } from "../version.ts";
import { createRouter, type Router } from "../wamp/mod.ts";
import type { PathService } from "../web/path_service.ts";
import { LivePathTable } from "../web/live_path_table.ts";
import { NodeMetrics } from "../metrics/node_metrics.ts";
import type { WebTransport } from "../web/web_transport.ts";
import {
  listenTransport,
  transportEntries,
  transportWebOptions,
  webBehaviour,
} from "./_transports.ts";
import { createPathService, type NodeInfo } from "./services.ts";
import { clusterSettings } from "../cluster/settings.ts";
import type { ClusterNode } from "../cluster/mod.ts";
import {
  type ReloadableTransport,
  type ReloadOptions,
  type ReloadSummary,
  reloadTransports,
} from "./reload.ts";
import {
  startComponentsOf,
  startNonRouterWorker,
  type Stoppable,
} from "./_workers.ts";

/** Options for {@link startNode}. */
export interface StartNodeOptions {
  /** The validated configuration. */
  readonly config: Config;
  /** The node directory (absolute); config paths are relative to it. */
  readonly cbdir: string;
  /** Where logs go. @default {a logger at "info" writing to stderr} */
  readonly logger?: Logger;
  /** Grace period for in-flight requests on close, in ms. @default {10000} */
  readonly gracePeriod?: number;
  /** Environment (cluster settings from a supervisor). @default {Deno.env} */
  readonly env?: Record<string, string | undefined>;
}

/** A listening transport of a running node. */
export interface NodeTransport {
  /** `web` or `websocket`. */
  readonly type: string;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Mounted prefixes and their service types. */
  readonly paths: readonly { readonly path: string; readonly type: string }[];
}

/** A running node. */
export interface Node extends AsyncDisposable {
  /** Base URL of the first transport. */
  readonly url: string;
  /** Every listening transport. */
  readonly transports: readonly NodeTransport[];
  /** The WAMP router of each router worker, in config order. */
  readonly routers: readonly Router[];
  /** The cluster membership, when clustered (`controller.cluster`). */
  readonly cluster: ClusterNode | undefined;
  /** Stops the node gracefully (idempotent). */
  close(): Promise<void>;
  /**
   * Applies a new validated config path by path, spawn-before-retire
   * (`reload.ts`); the node keeps running as it was when this throws.
   *
   * @throws {ReloadError} When the change needs a restart.
   */
  reload(
    config: Config,
    options?: Pick<ReloadOptions, "only">,
  ): Promise<ReloadSummary>;
}

interface Running {
  readonly transport: WebTransport;
  readonly services: PathService[];
  readonly info: NodeTransport;
  /** How reload swaps this transport's services. */
  readonly reloadable?: ReloadableTransport;
}

/**
 * Starts a node from a validated config.
 *
 * @param options Config, node directory, logger.
 * @returns The running node.
 * @throws {AppLoadError} When a hosted app cannot be loaded.
 * @throws {EndpointError} When a transport cannot listen.
 *
 * @example Host a node in-process on a random port
 * ```ts ignore
 * import { startNode } from "./node.ts";
 * import { validateConfig } from "../config/mod.ts";
 * const { config } = validateConfig({ version: 2, workers: [] });
 * await using node = await startNode({ config, cbdir: Deno.cwd() });
 * ```
 */
export async function startNode(options: StartNodeOptions): Promise<Node> {
  const logger = options.logger ?? createLogger();
  const startedAt = new Date();
  const running: Running[] = [];
  const routers: Router[] = [];
  const workers: Stoppable[] = [];
  let cluster: ClusterNode | undefined;
  let ready = false;
  const metrics = new NodeMetrics({
    realms: () => routers.flatMap((router) => router.stats().realms),
    ready: () => ready,
    cluster: () =>
      cluster && { name: cluster.name, members: cluster.members() },
  });
  const nodeInfo = (): NodeInfo => ({
    version: VERSION,
    startedAt,
    transports: running.map((r) => ({
      type: r.info.type,
      endpoint: r.info.url,
    })),
    paths: running.flatMap((r) => r.info.paths),
    realms: routers.flatMap((router) => router.stats().realms),
    cluster: cluster && { name: cluster.name, members: cluster.members() },
  });
  const close = async () => {
    ready = false;
    metrics.close();
    const deadline = Date.now() + (options.gracePeriod ?? 10_000);
    await cluster?.close();
    // Requests in progress (uploads too) finish first, while WebSockets stay
    // open for the routers' GOODBYE; Deno's server shutdown would cut both.
    const quiet = running.filter((r) => r.transport.quiesce !== undefined);
    const others = running.filter((r) => r.transport.quiesce === undefined)
      .map((r) => r.transport.close(deadline));
    await Promise.all(quiet.map((r) => r.transport.quiesce!(deadline)));
    await Promise.all(workers.map((worker) => worker.close()));
    await Promise.all(routers.map((router) => router.close()));
    await Promise.all(
      running.flatMap((r) => r.services.map((s) => s.close(deadline))),
    );
    await Promise.all([
      ...others,
      ...quiet.map((r) => r.transport.close(deadline)),
    ]);
  };
  try {
    for (const worker of options.config.workers) {
      if (worker.type !== "router") continue;
      const router = createRouter({
        realms: worker.realms,
        logger: logger.child("router"),
      });
      routers.push(router);
      // Crossbar's order: realms and roles, then components, then transports.
      workers.push(
        await startComponentsOf(worker, router, {
          cbdir: options.cbdir,
          logger,
          index: options.config.workers.indexOf(worker),
        }),
      );
      await startRouterWorker(worker, router, {
        cbdir: options.cbdir,
        logger,
        nodeInfo,
        running,
        index: options.config.workers.indexOf(worker),
        metrics,
      });
    }
    for (const [index, worker] of options.config.workers.entries()) {
      if (worker.type === "router") continue;
      workers.push(
        await startNonRouterWorker(worker, {
          cbdir: options.cbdir,
          logger,
          index,
          config: options.config,
          routers,
        }),
      );
    }
    cluster = await joinConfiguredCluster(
      options.config,
      routers,
      logger,
      options.env ?? Deno.env.toObject(),
      options.cbdir,
    );
  } catch (error) {
    await close();
    throw error;
  }
  ready = true;
  let closing: Promise<void> | undefined;
  const stop = () => closing ??= close();
  let current = options.config;
  let reloading: Promise<unknown> = Promise.resolve();
  const reload = (config: Config, only?: Pick<ReloadOptions, "only">) => {
    // One reload at a time, in order.
    const run = reloading.catch(() => {}).then(async () => {
      const summary = await reloadTransports(
        current,
        config,
        running.flatMap((r) => r.reloadable ? [r.reloadable] : []),
        {
          logger,
          gracePeriod: options.gracePeriod ?? 10_000,
          ...only,
        },
      );
      current = config;
      return summary;
    });
    reloading = run;
    return run;
  };
  return {
    reload,
    url: running[0]?.info.url ?? "",
    transports: running.map((r) => r.info),
    routers,
    cluster,
    close: stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Joins the cluster when configured; loads the NATS client only then. */
async function joinConfiguredCluster(
  config: Config,
  routers: readonly Router[],
  logger: Logger,
  env: Record<string, string | undefined>,
  cbdir: string,
): Promise<ClusterNode | undefined> {
  const settings = clusterSettings(config, env);
  if (settings === undefined) return undefined;
  const { joinCluster } = await import("../cluster/mod.ts");
  return await joinCluster({
    ...settings,
    realms: routers.flatMap((router) => router.realms()),
    logger: logger.child("cluster"),
    cbdir,
  });
}

interface WorkerContext {
  readonly cbdir: string;
  readonly logger: Logger;
  readonly nodeInfo: () => NodeInfo;
  readonly running: Running[];
  /** The router worker's index in `config.workers` (for reload). */
  readonly index: number;
  /** Measures every path service. */
  readonly metrics: NodeMetrics;
}

async function startRouterWorker(
  worker: RouterWorkerConfig,
  router: Router,
  context: WorkerContext,
): Promise<void> {
  for (const [index, transport] of worker.transports.entries()) {
    const entries = transportEntries(transport);
    const behaviour = webBehaviour(transportWebOptions(transport));
    const services: PathService[] = [];
    const table = new LivePathTable<PathService>();
    const logger = context.logger.child("web");
    const build = async (config: PathServiceConfig, prefix: string) =>
      context.metrics.meter(
        await createPathService(config, {
          cbdir: context.cbdir,
          path: prefix || "/",
          pythonpath: worker.options.pythonpath,
          router,
          logger: context.logger.child(`${config.type} ${prefix || "/"}`),
          displayTracebacks: behaviour.displayTracebacks,
          nodeInfo: context.nodeInfo,
          metrics: context.metrics,
        }),
        prefix || "/",
      );
    try {
      // Paths start at once: each wsgi pool's first workers take about
      // half a second to start, mostly waiting (see lib/apphost).
      const built = await Promise.allSettled(
        entries.map(({ prefix, config }) => build(config, prefix)),
      );
      for (const result of built) {
        if (result.status === "fulfilled") services.push(result.value);
      }
      const failed = built.find((r) => r.status === "rejected");
      if (failed !== undefined) throw failed.reason;
      for (const [n, { prefix }] of entries.entries()) {
        table.add(prefix, services[n]!);
      }
      const listening = await listenTransport(transport, {
        cbdir: context.cbdir,
        table,
        logger,
        router,
        behaviour,
      });
      const info: NodeTransport = {
        type: transport.type,
        url: listening.url,
        paths: entries.map(({ prefix, config }) => ({
          path: prefix || "/",
          type: config.type,
        })),
      };
      context.running.push({
        transport: listening,
        services,
        info,
        reloadable: {
          worker: context.index,
          index,
          table,
          mounted: entries.map((entry, n) => ({
            ...entry,
            service: services[n]!,
          })),
          services,
          paths: info.paths as NodeTransport["paths"][number][],
          build,
          entries: transportEntries,
        },
      });
      const everywhere = transport.endpoint.type === "tcp" &&
        !transport.endpoint.interface;
      logger.info(
        `${transport.type} transport listening on ${listening.url}${
          everywhere ? " (all interfaces)" : ""
        }`,
      );
      for (const { path, type } of info.paths) {
        // WebSocket paths are shown with the URL their clients dial.
        const base = type === "websocket"
          ? listening.url.replace(/^http/, "ws")
          : listening.url;
        logger.info(
          `  ${path.padEnd(16)} ${type.padEnd(10)} ${base}${
            path === "/" ? "/" : path
          }`,
        );
      }
    } catch (error) {
      await Promise.all(services.map((s) => s.close(Date.now())));
      throw error;
    }
  }
}
