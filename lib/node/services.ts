/**
 * The composition root for path services: picks the implementation for each
 * `type` in a web transport's `paths` and hands it its config and the
 * node-level environment.
 */
import type { Config, PathServiceConfig } from "../config/mod.ts";
import type { Logger } from "../log/mod.ts";
import { checkWsgiApp, createWsgiService } from "../apphost/mod.ts";
import {
  checkPythonApp,
  createPythonWsgiService,
  findPythonApp,
} from "../pyhost/mod.ts";
import {
  createCallerService,
  createPublisherService,
  createWebhookService,
} from "../bridge/mod.ts";
import type { Router } from "../wamp/mod.ts";
import type { PathService } from "../web/path_service.ts";
import { createCgiService } from "../web/services/cgi.ts";
import { createJsonService } from "../web/services/json.ts";
import { createLongPollService } from "../web/services/longpoll.ts";
import {
  createNodeInfoService,
  type NodeInfo,
} from "../web/services/nodeinfo.ts";
import { createNoneService } from "../web/services/none.ts";
import { createMetricsService } from "../web/services/metrics.ts";
import type { NodeMetrics } from "../metrics/node_metrics.ts";
import { createRedirectService } from "../web/services/redirect.ts";
import { createReverseProxyService } from "../web/services/reverseproxy.ts";
import { createStaticService } from "../web/services/static.ts";
import { createWebSocketService } from "../web/services/websocket_service.ts";
import { createWebSocketReverseProxyService } from "../web/services/websocket_reverseproxy.ts";
import { flattenPaths } from "./_path_tree.ts";
import { checkComponents } from "./_workers.ts";

export type { NodeInfo };

/** What the node knows when it builds the service for one path. */
export interface ServiceContext {
  /** The node directory (absolute). */
  readonly cbdir: string;
  /** The mount path, for messages (`/`, `/ws`). */
  readonly path: string;
  /** The router worker's `options.pythonpath`. */
  readonly pythonpath: readonly string[];
  /** The router worker's WAMP router. */
  readonly router: Router;
  /** The service's logger. */
  readonly logger: Logger;
  /** The transport's `display_tracebacks`. */
  readonly displayTracebacks: boolean;
  /** Live facts for the node info page. */
  readonly nodeInfo: () => NodeInfo;
  /** The node's metrics, for a `metrics` service. */
  readonly metrics?: NodeMetrics;
}

/**
 * Creates the service for one path.
 *
 * @param config The validated service config (never a nested `path`).
 * @param context The node-level environment.
 * @returns The ready service.
 * @throws {AppLoadError} When a wsgi app cannot be loaded.
 */
export async function createPathService(
  config: PathServiceConfig,
  context: ServiceContext,
): Promise<PathService> {
  const env = {
    cbdir: context.cbdir,
    logger: context.logger,
    displayTracebacks: context.displayTracebacks,
  };
  switch (config.type) {
    case "wsgi":
      if (await findPythonApp(config.module, context)) {
        return await createPythonWsgiService(
          {
            ...config,
            cbdir: context.cbdir,
            pythonpath: context.pythonpath,
            path: context.path,
          },
          { logger: context.logger },
        );
      }
      return await createWsgiService(
        {
          ...config,
          cbdir: context.cbdir,
          pythonpath: [...context.pythonpath],
          path: context.path,
          display_tracebacks: context.displayTracebacks,
        },
        { logger: context.logger, router: context.router },
      );
    case "websocket":
      return createWebSocketService(config, {
        router: context.router,
        logger: context.logger,
      });
    case "static":
      return createStaticService(config, env);
    case "redirect":
      return createRedirectService(config, env);
    case "json":
      return createJsonService(config, env);
    case "nodeinfo":
      return createNodeInfoService(config, {
        ...env,
        nodeInfo: context.nodeInfo,
      });
    case "reverseproxy":
      return createReverseProxyService(config, env);
    case "websocket-reverseproxy":
      return createWebSocketReverseProxyService(config, env);
    case "cgi":
      return createCgiService(config, env);
    case "none":
      return createNoneService(config, env);
    case "metrics":
      if (context.metrics === undefined) {
        throw new TypeError(
          `The metrics service at "${context.path}" needs the node's metrics`,
        );
      }
      return createMetricsService(config, { metrics: context.metrics });
    case "publisher":
      return createPublisherService(config, { ...env, router: context.router });
    case "caller":
      return createCallerService(config, { ...env, router: context.router });
    case "webhook":
      return createWebhookService(config, { ...env, router: context.router });
    case "longpoll":
      return createLongPollService(config, {
        router: context.router,
        logger: context.logger,
      });
    case "path":
      throw new TypeError("Nested path services are flattened by the node");
    default:
      throw new Error(
        `Path service type "${
          (config as { type: string }).type
        }" at "${context.path}" is not supported yet`,
      );
  }
}

/**
 * Loads every hosted app of a config the way `start` would (module and
 * export, in a worker with the app's permissions) and lists what failed.
 *
 * @param config The validated config.
 * @param cbdir The node directory.
 * @param file The config file, for the positions of component problems.
 * @returns One message per failing app or component; empty when all load.
 */
export async function checkApps(
  config: Config,
  cbdir: string,
  file = "",
): Promise<string[]> {
  const problems: string[] = await checkComponents(config, cbdir, file);
  for (const worker of config.workers) {
    if (worker.type !== "router") continue;
    for (const transport of worker.transports) {
      if (transport.type !== "web") continue;
      for (const { prefix, config: service } of flattenPaths(transport.paths)) {
        if (service.type !== "wsgi") continue;
        try {
          const options = { cbdir, pythonpath: worker.options.pythonpath };
          if (await findPythonApp(service.module, options)) {
            await checkPythonApp({
              ...service,
              ...options,
              path: prefix || "/",
            });
            continue;
          }
          await checkWsgiApp({
            ...service,
            cbdir,
            pythonpath: [...worker.options.pythonpath],
            path: prefix || "/",
          });
        } catch (error) {
          problems.push(
            `path "${prefix || "/"}": ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
        }
      }
    }
  }
  return problems;
}
