/**
 * The `metrics` path service (our extension): the node's metrics in the
 * Prometheus text format at the path itself, and health JSON below it —
 * `<path>/health` (200 while the process serves) and `<path>/ready` (200
 * once every transport listens and every pool has started, else 503).
 *
 * @module
 */
import type { NodeMetrics } from "../../metrics/node_metrics.ts";
import { PROMETHEUS_CONTENT_TYPE } from "../../metrics/registry.ts";
import type { PathService, ServeContext } from "../path_service.ts";
import {
  isReadMethod,
  methodNotAllowed,
  notFound,
  READ_METHODS,
} from "./_static_http.ts";

/** A `metrics` path service entry of the config. */
export interface MetricsServiceConfig {
  readonly type: "metrics";
  readonly id?: string | undefined;
}

/** What the node gives the service. */
export interface MetricsServiceEnv {
  /** The node's metrics. */
  readonly metrics: NodeMetrics;
}

/**
 * Creates the service.
 *
 * @param _config The validated config (nothing to read).
 * @param env The node's metrics.
 * @returns The path service.
 *
 * @example Render the metrics of a node without traffic
 * ```ts
 * import { createMetricsService } from "./metrics.ts";
 * import { NodeMetrics } from "../../metrics/node_metrics.ts";
 * const metrics = new NodeMetrics({ realms: () => [], ready: () => true });
 * const service = createMetricsService({ type: "metrics" }, { metrics });
 * const response = await service.handle(new Request("http://x/metrics"), {
 *   prefix: "/metrics", rest: "/", search: "", secure: false,
 *   remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
 *   signal: new AbortController().signal,
 * });
 * if (!(await response.text()).includes("# TYPE crossbar_ready gauge")) {
 *   throw new Error();
 * }
 * ```
 */
export function createMetricsService(
  _config: MetricsServiceConfig,
  env: MetricsServiceEnv,
): PathService {
  const { metrics } = env;
  return {
    type: "metrics",
    handle(request: Request, context: ServeContext): Response {
      if (!isReadMethod(request.method)) return methodNotAllowed(READ_METHODS);
      const head = request.method === "HEAD";
      switch (context.rest) {
        case "/":
          return new Response(head ? null : metrics.registry.render(), {
            headers: {
              "content-type": PROMETHEUS_CONTENT_TYPE,
              "cache-control": "no-store",
            },
          });
        case "/health":
          return health(metrics, false, head);
        case "/ready":
          return health(metrics, true, head);
        default:
          return notFound();
      }
    },
    close: () => Promise.resolve(),
  };
}

function health(metrics: NodeMetrics, readiness: boolean, head: boolean) {
  const ready = metrics.ready;
  const body = {
    status: ready ? "ok" : "starting",
    ready,
    "uptime_seconds": Math.round(
      (Date.now() - metrics.startedAt.getTime()) / 1000,
    ),
    pools: metrics.pools().map(([path, stats]) => ({ path, ...stats })),
  };
  return new Response(head ? null : JSON.stringify(body) + "\n", {
    status: readiness && !ready ? 503 : 200,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
