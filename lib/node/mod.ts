/**
 * The node: start it from a validated config ({@link startNode}), host it
 * in-process from a config object ({@link hostNode}), or run the CLI
 * commands.
 *
 * @module
 */
export { hostNode, type HostNodeOptions } from "./host.ts";
export {
  type Node,
  type NodeTransport,
  startNode,
  type StartNodeOptions,
} from "./node.ts";
export { EndpointError } from "./endpoint.ts";
export {
  runCheck,
  type RunCheckOptions,
  runInit,
  type RunInitOptions,
  runStart,
  type RunStartOptions,
} from "./commands.ts";
