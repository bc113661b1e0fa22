/**
 * The node's metrics: what every path serves (requests by status class,
 * latency, in flight), what every wsgi pool holds (workers, queue,
 * restarts, timeouts, recycles), WAMP sessions per realm and messages by
 * type, and the process (resident memory, event-loop lag). The `metrics`
 * path service renders them (`lib/web/services/metrics.ts`).
 *
 * @module
 */
import type { PathService, ServeContext } from "../web/path_service.ts";
import { type Counter, type CounterSeries, Registry } from "./registry.ts";
import { wampTraffic } from "./wamp_traffic.ts";

/**
 * Figures a wsgi path reports (`stats()` of `lib/apphost`'s wsgi service;
 * only these fields are read).
 */
export interface PoolStats {
  /** Live workers (starting ones included). */
  readonly size: number;
  /** Requests waiting for a worker. */
  readonly queued: number;
  /** Requests being served by a worker. */
  readonly inFlight?: number;
  /** Replacement workers whose app failed to load. */
  readonly loadFailures?: number;
  /** Workers replaced after a crash. */
  readonly restarts?: number;
  /** Requests answered 504 after the path's `timeout`. */
  readonly timeouts?: number;
  /** Workers recycled (`max_requests`, memory). */
  readonly recycles?: number;
}

/** What the node tells its metrics at scrape time. */
export interface NodeMetricsSources {
  /** Sessions per realm of every router. */
  readonly realms: () => Iterable<{ name: string; sessions: number }>;
  /** Whether every transport listens and every pool has started. */
  readonly ready: () => boolean;
  /** The cluster's live members, when the node is clustered. */
  readonly cluster?: () =>
    | {
      readonly name: string;
      readonly members: readonly {
        readonly id: string;
        readonly host: string;
        readonly pid: number;
        readonly self: boolean;
        readonly hostLink: boolean;
      }[];
    }
    | undefined;
}

/** Latency buckets in seconds (Prometheus client defaults, plus 1 ms). */
const BUCKETS = [
  0.001,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];

/** How often the event-loop lag is sampled, in ms. */
const LAG_EVERY_MS = 500;

/** The metrics of one node. */
export class NodeMetrics {
  /** Everything, for rendering. */
  readonly registry: Registry = new Registry();
  /** When the node started. */
  readonly startedAt: Date = new Date();
  readonly #sources: NodeMetricsSources;
  readonly #requests: Counter;
  readonly #duration;
  readonly #inFlight;
  readonly #pools = new Map<string, { stats(): PoolStats }>();
  #lag = 0;
  #lagTimer: ReturnType<typeof setInterval> | undefined;

  /** @param sources Live figures read at each scrape. */
  constructor(sources: NodeMetricsSources) {
    this.#sources = sources;
    const r = this.registry;
    this.#requests = r.counter(
      "crossbar_http_requests_total",
      "HTTP requests answered, by mount path and status class.",
    );
    this.#duration = r.histogram(
      "crossbar_http_request_duration_seconds",
      "Time until the response headers, by mount path.",
      BUCKETS,
    );
    this.#inFlight = r.gauge(
      "crossbar_http_requests_in_flight",
      "Requests being answered now, by mount path.",
    );
    const pools = (pick: (s: PoolStats) => number | undefined) => () =>
      [...this.#pools].flatMap(([path, pool]) => {
        const value = pick(pool.stats());
        return value === undefined ? [] : [[{ path }, value] as const];
      });
    r.gaugeFrom(
      "crossbar_wsgi_workers",
      "Live workers of each wsgi pool.",
      pools((s) => s.size),
    );
    r.gaugeFrom(
      "crossbar_wsgi_queue_depth",
      "Requests waiting for a worker, per wsgi pool.",
      pools((s) => s.queued),
    );
    r.counterFrom(
      "crossbar_wsgi_worker_restarts_total",
      "Workers replaced after a crash, per wsgi pool.",
      pools((s) => s.restarts),
    );
    r.counterFrom(
      "crossbar_wsgi_timeouts_total",
      "Requests answered 504 after the path's timeout, per wsgi pool.",
      pools((s) => s.timeouts),
    );
    r.counterFrom(
      "crossbar_wsgi_worker_recycles_total",
      "Workers recycled gracefully, per wsgi pool.",
      pools((s) => s.recycles),
    );
    r.counterFrom(
      "crossbar_wsgi_worker_load_failures_total",
      "Replacement workers whose app failed to load, per wsgi pool.",
      pools((s) => s.loadFailures),
    );
    r.gaugeFrom(
      "crossbar_wamp_sessions",
      "WAMP sessions joined, per realm.",
      () =>
        [...sources.realms()].map((realm) =>
          [{ realm: realm.name }, realm.sessions] as const
        ),
    );
    r.counterFrom(
      "crossbar_wamp_messages_total",
      "WAMP messages received (in) and sent (out), by message type (ERROR and ABORT count the errors).",
      () =>
        wampTraffic().map(([direction, type, count]) =>
          [{ direction, type }, count] as const
        ),
    );
    r.gaugeFrom(
      "process_resident_memory_bytes",
      "Resident memory of the node's process.",
      () => [[{}, Deno.memoryUsage().rss]],
    );
    r.gaugeFrom(
      "process_start_time_seconds",
      "When the node started, in seconds since the Unix epoch.",
      () => [[{}, this.startedAt.getTime() / 1000]],
    );
    r.gaugeFrom(
      "crossbar_event_loop_lag_seconds",
      `How late the main event loop ran a timer, sampled every ${LAG_EVERY_MS} ms.`,
      () => [[{}, this.#lag]],
    );
    r.gaugeFrom(
      "crossbar_ready",
      "1 when every transport listens and every pool has started.",
      () => [[{}, sources.ready() ? 1 : 0]],
    );
    r.gaugeFrom(
      "crossbar_cluster_members",
      "1 per live cluster member (self: the process answering; host_link: records to it take a host link), when clustered.",
      () => {
        const cluster = sources.cluster?.();
        if (cluster === undefined) return [];
        return cluster.members.map((m) =>
          [{
            cluster: cluster.name,
            member: m.id,
            host: m.host,
            pid: String(m.pid),
            self: String(m.self),
            host_link: String(m.hostLink),
          }, 1] as const
        );
      },
    );
  }

  /** Whether the node is ready (see {@link NodeMetricsSources.ready}). */
  get ready(): boolean {
    return this.#sources.ready();
  }

  /** The pools being measured, by mount path. */
  pools(): [path: string, stats: PoolStats][] {
    return [...this.#pools].map(([path, pool]) => [path, pool.stats()]);
  }

  /**
   * Wraps a path service so that its requests are measured.
   *
   * @param service The service.
   * @param path Its mount path (the `path` label).
   * @returns The measured service.
   */
  meter(service: PathService, path: string): PathService {
    const source = service as Partial<{ stats(): PoolStats }>;
    if (typeof source.stats === "function") {
      this.#pools.set(path, source as { stats(): PoolStats });
    }
    this.#startLag();
    const classes: CounterSeries[] = [];
    const statusClass = (status: number) => {
      const n = Math.min(5, Math.max(1, Math.floor(status / 100)));
      return classes[n] ??= this.#requests.series({ path, code: `${n}xx` });
    };
    const duration = this.#duration.series({ path });
    const inFlight = this.#inFlight.series({ path });
    const finish = (started: number, status: number) => {
      inFlight.add(-1);
      duration.observe((performance.now() - started) / 1000);
      statusClass(status).inc();
    };
    const pools = this.#pools;
    return {
      type: service.type,
      handle(request: Request, context: ServeContext) {
        const started = performance.now();
        inFlight.add(1);
        let result: Response | Promise<Response>;
        try {
          result = service.handle(request, context);
        } catch (error) {
          finish(started, 500);
          throw error;
        }
        if (!(result instanceof Promise)) {
          finish(started, result.status);
          return result;
        }
        return result.then((response) => {
          finish(started, response.status);
          return response;
        }, (error) => {
          finish(started, 500);
          throw error;
        });
      },
      close(deadline?: number) {
        if (pools.get(path) === source) pools.delete(path);
        return service.close(deadline);
      },
    };
  }

  /** Stops sampling the event-loop lag. */
  close(): void {
    if (this.#lagTimer !== undefined) clearInterval(this.#lagTimer);
    this.#lagTimer = undefined;
  }

  #startLag(): void {
    if (this.#lagTimer !== undefined) return;
    let expected = performance.now() + LAG_EVERY_MS;
    const timer = setInterval(() => {
      const now = performance.now();
      this.#lag = Math.max(0, now - expected) / 1000;
      expected = now + LAG_EVERY_MS;
    }, LAG_EVERY_MS);
    Deno.unrefTimer(timer);
    this.#lagTimer = timer;
  }
}
