/**
 * Graceful reload (SIGHUP, `crossbar-deno reload`, `--watch`): a new config
 * replaces the running one path by path, spawn-before-retire.
 *
 * Reload lifecycle:
 * 1. The new config was read and validated by the caller; here it is
 *    compared with the running one. Only path tables may change: a change
 *    to realms, endpoints, transport options or other workers is refused
 *    with a {@link ReloadError} (those need a restart), and the node keeps
 *    running as it was.
 * 2. Every changed path gets a new service, and every `wsgi` path a new
 *    worker pool (so new app code loads), started while the old ones still
 *    serve. If any fails, the new ones are closed and the old table stays.
 * 3. Each transport's {@link LivePathTable} switches to the new table at
 *    once; requests already matched finish on the old services.
 * 4. Old services that were replaced are closed with the grace period:
 *    their in-flight requests finish first. Unchanged services — a WAMP
 *    `websocket` path with its sessions, a static folder — are kept as they
 *    are, so WAMP sessions stay connected.
 *
 * @module
 */
import type {
  Config,
  PathServiceConfig,
  TransportConfig,
} from "../config/mod.ts";
import type { Logger } from "../log/logger.ts";
import type { PathService } from "../web/path_service.ts";
import { PathTable } from "../web/path_table.ts";
import type { LivePathTable } from "../web/live_path_table.ts";
import type { MountedService } from "./_path_tree.ts";

/** Raised when a new config cannot be applied without a restart. */
export class ReloadError extends Error {
  /** Creates the error with every reason, one per line. */
  constructor(readonly reasons: readonly string[]) {
    super(`Cannot reload: ${reasons.join("; ")}`);
    this.name = "ReloadError";
  }
}

/** A service mounted on a running transport, with the config it came from. */
export interface Mounted {
  /** Its table prefix (`""` for the root). */
  readonly prefix: string;
  /** Its validated config. */
  readonly config: PathServiceConfig;
  /** The running service. */
  readonly service: PathService;
}

/** What reload needs to know about one running transport. */
export interface ReloadableTransport {
  /** Index of its router worker in `config.workers`. */
  readonly worker: number;
  /** Index in that worker's `transports`. */
  readonly index: number;
  /** The table the transport matches against. */
  readonly table: LivePathTable<PathService>;
  /** What is mounted now (replaced on every reload). */
  mounted: Mounted[];
  /** The node's list of this transport's services (updated in place). */
  readonly services: PathService[];
  /** The paths and types shown in node info (updated in place). */
  readonly paths: { readonly path: string; readonly type: string }[];
  /** Builds the service for one path of this transport. */
  readonly build: (
    config: PathServiceConfig,
    prefix: string,
  ) => Promise<PathService>;
  /** The services a transport config mounts. */
  readonly entries: (transport: TransportConfig) => MountedService[];
}

/** Options for {@link reloadTransports}. */
export interface ReloadOptions {
  /** Where progress and errors go. */
  readonly logger: Logger;
  /** How long retired services may finish in-flight work, in ms. */
  readonly gracePeriod: number;
  /**
   * Restart only these wsgi paths (`"<worker>/<transport><prefix>"` keys, see
   * {@link pathKey}) and keep every other service: `--watch` after an app
   * file changed. Absent: every wsgi path restarts.
   */
  readonly only?: ReadonlySet<string>;
}

/** What a reload did. */
export interface ReloadSummary {
  /** Paths that got a new service. */
  readonly replaced: number;
  /** Paths that kept their service. */
  readonly kept: number;
  /** Resolves once every retired service has closed. */
  readonly retired: Promise<void>;
}

/**
 * The key of a path for {@link ReloadOptions.only}.
 *
 * @param worker Router worker index.
 * @param index Transport index.
 * @param prefix Table prefix.
 * @returns The key.
 */
export function pathKey(worker: number, index: number, prefix: string): string {
  return `${worker}/${index}${prefix || "/"}`;
}

/**
 * Applies `next` to the running transports (see the module lifecycle).
 *
 * @param current The config the node runs.
 * @param next The validated new config.
 * @param transports The node's transports.
 * @param options Logger, grace period, paths to restart.
 * @returns What changed.
 * @throws {ReloadError} When `next` changes more than path tables.
 * @throws {Error} When a new service cannot start (nothing was changed).
 */
export async function reloadTransports(
  current: Config,
  next: Config,
  transports: readonly ReloadableTransport[],
  options: ReloadOptions,
): Promise<ReloadSummary> {
  const reasons = differences(current, next);
  if (reasons.length > 0) throw new ReloadError(reasons);
  const plans: { t: ReloadableTransport; mounted: Mounted[] }[] = [];
  const created: PathService[] = [];
  const kept = new Set<PathService>();
  try {
    for (const t of transports) {
      const worker = next.workers[t.worker];
      if (worker?.type !== "router") continue;
      const transportConfig = worker.transports[t.index]!;
      const mounted: Mounted[] = [];
      for (const { prefix, config } of t.entries(transportConfig)) {
        const old = t.mounted.find((m) => m.prefix === prefix);
        if (
          old && keep(old, config, pathKey(t.worker, t.index, prefix), options)
        ) {
          kept.add(old.service);
          mounted.push(old);
          continue;
        }
        const service = await t.build(config, prefix);
        created.push(service);
        mounted.push({ prefix, config, service });
      }
      plans.push({ t, mounted });
    }
  } catch (error) {
    await Promise.all(created.map((s) => s.close(Date.now())));
    throw error;
  }
  const retiring: PathService[] = [];
  for (const { t, mounted } of plans) {
    const table = new PathTable<PathService>();
    for (const m of mounted) table.add(m.prefix, m.service);
    t.table.replace(table);
    for (const m of t.mounted) {
      if (!kept.has(m.service)) retiring.push(m.service);
    }
    t.mounted = mounted;
    t.services.splice(0, t.services.length, ...mounted.map((m) => m.service));
    t.paths.splice(
      0,
      t.paths.length,
      ...mounted.map((m) => ({ path: m.prefix || "/", type: m.config.type })),
    );
  }
  const deadline = Date.now() + options.gracePeriod;
  const retired = Promise.all(retiring.map((s) => s.close(deadline))).then(
    () => {},
  );
  return { replaced: created.length, kept: kept.size, retired };
}

function keep(
  old: Mounted,
  config: PathServiceConfig,
  key: string,
  options: ReloadOptions,
): boolean {
  if (JSON.stringify(old.config) !== JSON.stringify(config)) return false;
  if (options.only !== undefined) return !options.only.has(key);
  return config.type !== "wsgi";
}

/** What differs between two configs outside the path tables. */
function differences(current: Config, next: Config): string[] {
  const reasons: string[] = [];
  const same = (a: unknown, b: unknown) =>
    JSON.stringify(a) === JSON.stringify(b);
  if (!same(current.controller, next.controller)) {
    reasons.push("the controller changed");
  }
  if (current.workers.length !== next.workers.length) {
    reasons.push("the number of workers changed");
    return reasons;
  }
  current.workers.forEach((worker, w) => {
    const other = next.workers[w]!;
    if (worker.type !== "router" || other.type !== "router") {
      if (!same(worker, other)) reasons.push(`workers[${w}] changed`);
      return;
    }
    const { transports: a, ...restA } = worker;
    const { transports: b, ...restB } = other;
    if (!same(restA, restB)) {
      reasons.push(
        `workers[${w}] changed outside its transports' paths (realms, roles or options)`,
      );
    }
    if (a.length !== b.length) {
      reasons.push(`workers[${w}]: the number of transports changed`);
      return;
    }
    a.forEach((transport, t) => {
      if (!same(skeleton(transport), skeleton(b[t]!))) {
        reasons.push(
          `workers[${w}].transports[${t}] changed outside its paths (endpoint or options)`,
        );
      }
    });
  });
  return reasons;
}

/** A transport config without the services it mounts. */
function skeleton(transport: TransportConfig): unknown {
  const copy = { ...transport } as Record<string, unknown>;
  delete copy.paths;
  if (copy.type === "universal") {
    delete copy.websocket;
    if (typeof copy.web === "object" && copy.web !== null) {
      copy.web = { ...copy.web, paths: undefined };
    }
  }
  return copy;
}
