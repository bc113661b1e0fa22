/**
 * WAMP components in TypeScript: router `components` and container
 * workers. A component module exports a class shaped like autobahn's
 * `ApplicationSession`, or an async function; each runs in its own Web
 * Worker with Deno permissions (default: read its own folder) and gets its
 * session over an in-process channel to the node's router.
 *
 * @example A class component (config: `"classname": "backend.Backend"`)
 * ```ts ignore
 * import type { ComponentConfig, ComponentSession, JoinDetails } from "crossbar/components";
 *
 * export class Backend {
 *   constructor(readonly config: ComponentConfig) {}
 *   async onJoin(session: ComponentSession, details: JoinDetails) {
 *     await session.register("com.example.add2", ([a, b]) => Number(a) + Number(b));
 *     console.log(`joined ${details.realm} as ${details.authrole}`);
 *   }
 *   onLeave() {}
 * }
 * ```
 *
 * @example A function component that returns a cleanup
 * ```ts ignore
 * import type { ComponentFunction } from "crossbar/components";
 *
 * export const ticker: ComponentFunction = async (session, { extra }) => {
 *   let n = 0;
 *   const timer = setInterval(() => session.publish("com.example.tick", [n++]), 1000);
 *   return () => clearInterval(timer);
 * };
 * ```
 *
 * @module
 */
export type {
  CheckConfig,
  ComponentClass,
  ComponentCleanup,
  ComponentConfig,
  ComponentContext,
  ComponentFunction,
  ComponentInstance,
  ComponentSession,
  JoinDetails,
  LeaveDetails,
} from "./types.ts";
export {
  type ComponentsEnv,
  RunningComponents,
  startContainer,
  startRouterComponents,
  type Stoppable,
} from "./start_components.ts";
export { ComponentStartError, type RestartPolicy } from "./component_runner.ts";
export {
  ComponentNotFoundError,
  resolveComponent,
} from "./resolve_component.ts";
export { checkComponent } from "./check_component.ts";
