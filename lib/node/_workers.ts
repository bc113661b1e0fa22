/**
 * The node's workers other than the router's own transports: router
 * components, container workers and guest workers, started in Crossbar's
 * order by `node.ts` and stopped before the routers close.
 *
 * @module
 */
import type {
  Config,
  RouterWorkerConfig,
  WorkerConfig,
} from "../config/mod.ts";
import {
  checkComponent,
  ComponentNotFoundError,
  startContainer,
  startRouterComponents,
  type Stoppable,
} from "../components/mod.ts";
import { locateInConfig } from "../config/locate.ts";
import { startGuest } from "../guest/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { Router } from "../wamp/mod.ts";

export type { Stoppable };

/**
 * Starts a router worker's components (after its realms, before its
 * transports).
 *
 * @throws {ComponentStartError} When one fails to start.
 */
export async function startComponentsOf(
  worker: RouterWorkerConfig,
  router: Router,
  env: { cbdir: string; logger: Logger; index: number },
): Promise<Stoppable> {
  return await startRouterComponents(worker, router, {
    cbdir: env.cbdir,
    logger: env.logger,
    where: `workers[${env.index}]`,
  });
}

/** Starts a container or guest worker (after every router worker). */
export async function startNonRouterWorker(
  worker: Exclude<WorkerConfig, { type: "router" }>,
  env: {
    cbdir: string;
    logger: Logger;
    index: number;
    config: Config;
    routers: readonly Router[];
  },
): Promise<Stoppable> {
  const where = `workers[${env.index}]`;
  if (worker.type === "guest") {
    return await startGuest(worker, {
      cbdir: env.cbdir,
      logger: env.logger.child(`guest ${worker.id ?? where}`),
      where,
    });
  }
  if (worker.options.disabled) return { close: () => Promise.resolve() };
  return await startContainer(worker, {
    cbdir: env.cbdir,
    logger: env.logger,
    where,
    localRouter: (transport) => localRouterFor(transport, env),
  });
}

/**
 * The router of this node that listens on a client transport's endpoint:
 * a tcp endpoint on a loopback or unspecified host with a configured port
 * of a router transport, or the same unix socket path.
 */
function localRouterFor(
  transport: {
    endpoint: { type: string; host?: string; port?: number; path?: string };
  },
  env: { config: Config; routers: readonly Router[] },
): Router | undefined {
  const target = transport.endpoint;
  const local = target.type === "unix" ||
    ["127.0.0.1", "localhost", "::1", "0.0.0.0", "::"].includes(
      target.host ?? "",
    );
  if (!local) return undefined;
  let r = 0;
  for (const worker of env.config.workers) {
    if (worker.type !== "router") continue;
    const router = env.routers[r++];
    for (const own of worker.transports) {
      const endpoint = own.endpoint as {
        type: string;
        port?: unknown;
        path?: string;
      };
      if (
        (target.type === "tcp" && endpoint.type === "tcp" &&
          endpoint.port === target.port) ||
        (target.type === "unix" && endpoint.type === "unix" &&
          endpoint.path === target.path)
      ) {
        return router;
      }
    }
  }
  return undefined;
}

/**
 * `check` for components: each component's module is found and, for
 * TypeScript, loaded with its permissions and its `checkConfig` run.
 *
 * @param config The validated config.
 * @param cbdir The node directory.
 * @param file The config file, for positions.
 * @returns One positioned message per failing component.
 */
export async function checkComponents(
  config: Config,
  cbdir: string,
  file: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (const [w, worker] of config.workers.entries()) {
    if (worker.type === "guest") continue;
    for (const [c, component] of worker.components.entries()) {
      const key = component.type === "class"
        ? ["classname"]
        : ["callbacks", "join"];
      const classname = component.type === "class"
        ? component.classname
        : component.callbacks.join;
      try {
        await checkComponent({
          classname,
          cbdir,
          pythonpath: worker.options.pythonpath,
          realm: component.realm,
          extra: component.extra,
          permissions: component.permissions,
        });
      } catch (error) {
        const path = ["workers", w, "components", c, ...key];
        const where = await locateInConfig(file, path);
        const missing = error instanceof ComponentNotFoundError
          ? "missing module: "
          : "";
        problems.push(
          `${where}: workers[${w}].components[${c}].${
            key.join(".")
          }: ${missing}${(error as Error).message}`,
        );
      }
    }
  }
  return problems;
}
