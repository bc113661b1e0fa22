/**
 * Starts the components of a router worker or a container worker, in
 * Crossbar's order, and stops them.
 *
 * - Router components (`startRouterComponents`): after the realms and
 *   roles exist and before any transport listens, each in config order;
 *   the node waits until each has joined and its `onJoin` finished. A
 *   failure rejects with {@link ComponentStartError}, which fails `start`.
 *   They join in-process, as `role` (default `trusted`).
 * - Container components (`startContainer`): after every router worker.
 *   A `transport` that names one of this node's own listening endpoints
 *   attaches in-process to that router; any other connects as a WebSocket
 *   client. A component that fails is logged and handled by the restart
 *   policy; it does not stop the node. Crossbar's `shutdown` option decides
 *   when the container as a whole stops.
 *
 * @module
 */
import { resolve } from "node:path";
import type {
  ContainerWorkerConfig,
  RouterWorkerConfig,
} from "../config/schema.ts";
import type { Logger } from "../log/mod.ts";
import type { Router } from "../wamp/router.ts";
import { type ComponentLink, localLink, webSocketLink } from "./_links.ts";
import { rawSocketLink, type RawSocketTarget } from "./_rawsocket_link.ts";
import {
  ComponentRunner,
  ComponentStartError,
  type RestartPolicy,
} from "./component_runner.ts";
import { PythonComponentRunner } from "./python_component.ts";
import { resolveComponent } from "./resolve_component.ts";

type RouterComponent = RouterWorkerConfig["components"][number];
type ContainerComponent = ContainerWorkerConfig["components"][number];
type AnyComponent = RouterComponent | ContainerComponent;
type ClientTransport = NonNullable<ContainerComponent["transport"]>;

/** Something running that stops with the node. */
export interface Stoppable {
  /** Stops it (idempotent). */
  close(): Promise<void>;
}

/** What starting components needs from the node. */
export interface ComponentsEnv {
  /** The node directory. */
  readonly cbdir: string;
  /** The node's logger (each component logs under its own source). */
  readonly logger: Logger;
  /** Where the worker sits in the config, e.g. `workers[0]`. */
  readonly where: string;
  /**
   * This node's router behind a client transport, when the transport's
   * endpoint is one of the node's own listening endpoints.
   */
  readonly localRouter?: (transport: ClientTransport) => Router | undefined;
}

/** A group of running components. */
export class RunningComponents implements Stoppable {
  readonly #runners: Stoppable[] = [];

  /** @internal */
  add(runner: Stoppable): void {
    this.#runners.push(runner);
  }

  /** Stops every component, last started first. */
  async close(): Promise<void> {
    for (const runner of [...this.#runners].reverse()) await runner.close();
  }
}

/**
 * Starts a router worker's `components`, one after the other.
 *
 * @param worker The router worker's config.
 * @param router Its router (realms and roles in place).
 * @param env Node directory, logger, position.
 * @returns The running components.
 * @throws {ComponentStartError} When one cannot be found, loaded or joined,
 * or its `onJoin` fails.
 */
export async function startRouterComponents(
  worker: RouterWorkerConfig,
  router: Router,
  env: ComponentsEnv,
): Promise<RunningComponents> {
  const running = new RunningComponents();
  try {
    for (const [i, component] of worker.components.entries()) {
      const runner = await createRunner(component, {
        ...env,
        where: `${env.where}.components[${i}]`,
        pythonpath: worker.options.pythonpath,
        restart: component.restart,
        connect: (identity) =>
          Promise.resolve(localLink(router, {
            ...identity,
            authrole: component.role,
          })),
        router,
      });
      await runner.start();
      running.add(runner);
    }
  } catch (error) {
    await running.close();
    throw error;
  }
  return running;
}

/**
 * Starts a container worker's components.
 *
 * @param worker The container's config.
 * @param env Node directory, logger, position, this node's routers.
 * @returns The running components.
 * @throws {ComponentStartError} When a component's module is missing.
 */
export async function startContainer(
  worker: ContainerWorkerConfig,
  env: ComponentsEnv,
): Promise<RunningComponents> {
  const running = new RunningComponents();
  const fallback = containerRestart(worker.options.restart);
  const shutdown = worker.options.shutdown;
  const active = new Set<number>();
  let stopped = false;
  const stopContainer = (why: string) => {
    if (stopped) return;
    stopped = true;
    env.logger.info(`container ${env.where} stopped (${why})`);
    void running.close();
  };
  const onEnd = (i: number, end: { failed: boolean; restarting: boolean }) => {
    if (!end.restarting) active.delete(i);
    if (shutdown === "shutdown-on-any-component-stopped") {
      stopContainer(`${shutdown}: component ${i} stopped`);
    } else if (
      shutdown === "shutdown-on-any-component-failed" && end.failed
    ) {
      stopContainer(`${shutdown}: component ${i} failed`);
    } else if (
      shutdown === "shutdown-on-last-component-stopped" && active.size === 0
    ) {
      stopContainer(shutdown);
    }
  };
  for (const [i, component] of worker.components.entries()) {
    active.add(i);
    const transport = component.transport as ClientTransport;
    const router = env.localRouter?.(transport);
    const runner = await createRunner(component, {
      ...env,
      where: `${env.where}.components[${i}]`,
      pythonpath: worker.options.pythonpath,
      restart: component.restart.policy === "never"
        ? { ...component.restart, policy: fallback }
        : component.restart,
      connect: (identity): Promise<ComponentLink> =>
        router !== undefined
          ? Promise.resolve(localLink(router, {
            ...identity,
            authrole: component.role,
          }))
          : transport.type === "rawsocket"
          ? rawSocketLink(rawSocketTarget(transport, env.cbdir))
          : webSocketLink(clientUrl(transport)),
      router,
      restartFirst: true,
      onEnd: (end) => onEnd(i, end),
    });
    running.add(runner);
    runner.start().catch((error: Error) => env.logger.error(error.message));
  }
  return running;
}

interface RunnerEnv extends ComponentsEnv {
  readonly pythonpath: readonly string[];
  readonly restart: RestartPolicy;
  readonly connect: (
    identity: { realm: string; authid: string },
  ) => Promise<ComponentLink>;
  readonly router: Router | undefined;
  readonly restartFirst?: boolean;
  readonly onEnd?: (end: { failed: boolean; restarting: boolean }) => void;
}

async function createRunner(
  component: AnyComponent,
  env: RunnerEnv,
): Promise<ComponentRunner | PythonComponentRunner> {
  const classname = component.type === "class"
    ? component.classname
    : component.callbacks.join;
  const id = component.id ?? env.where;
  const label = `component "${classname}" (${env.where})`;
  const logger = env.logger.child(`component ${id}`);
  let resolved;
  try {
    resolved = await resolveComponent(classname, env);
  } catch (error) {
    throw new ComponentStartError(
      `${label}: ${(error as Error).message}`,
      "load",
    );
  }
  const extra = component.extra !== null && typeof component.extra === "object"
    ? { ...component.extra as Record<string, unknown>, cbdir: env.cbdir }
    : component.extra;
  const config = { realm: component.realm, extra, cbdir: env.cbdir, id };
  if (resolved.kind === "python") {
    return new PythonComponentRunner({
      label,
      module: resolved.module,
      className: resolved.className,
      config,
      role: component.role,
      restart: env.restart,
      router: env.router,
      transport: component.transport,
      logger,
      restartFirst: env.restartFirst ?? false,
      ...(env.onEnd ? { onEnd: env.onEnd } : {}),
    });
  }
  return new ComponentRunner({
    label,
    specifier: resolved.specifier,
    path: resolved.path,
    exportName: resolved.exportName,
    classname,
    config,
    permissions: component.permissions,
    restart: env.restart,
    connect: () => env.connect({ realm: component.realm, authid: id }),
    logger,
    restartFirst: env.restartFirst ?? false,
    ...(env.onEnd ? { onEnd: env.onEnd } : {}),
  });
}

function containerRestart(
  restart: ContainerWorkerConfig["options"]["restart"],
): RestartPolicy["policy"] {
  if (restart === "restart-always") return "always";
  if (restart === "restart-on-failed") return "on-failure";
  return "never";
}

/** The endpoint of a rawsocket client transport. */
function rawSocketTarget(
  transport: ClientTransport,
  cbdir: string,
): RawSocketTarget {
  const endpoint = transport.endpoint;
  return endpoint.type === "tcp"
    ? { type: "tcp", host: endpoint.host, port: endpoint.port }
    : { type: "unix", path: resolve(cbdir, endpoint.path) };
}

/** The WebSocket URL of a client transport. */
export function clientUrl(transport: ClientTransport): string {
  if (transport.url !== undefined) return transport.url;
  const endpoint = transport.endpoint;
  if (endpoint.type === "tcp") {
    const host = endpoint.host.includes(":")
      ? `[${endpoint.host}]`
      : endpoint.host;
    return `ws://${host}:${endpoint.port}/`;
  }
  return `ws+unix:${endpoint.path}`;
}
