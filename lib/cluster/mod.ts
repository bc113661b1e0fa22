/**
 * The cluster: one logical node over several processes and machines,
 * joined by NATS. Loaded on demand, only by a clustered node.
 *
 * - {@link joinCluster} joins this process's realms to the cluster;
 * - {@link startNatsServer} runs a local `nats-server` child;
 * - {@link superviseProcesses} is `start --processes N`.
 *
 * @example Join a cluster (needs a running nats-server)
 * ```ts ignore
 * import { joinCluster } from "./mod.ts";
 * import { createLogger } from "../log/mod.ts";
 * const member = await joinCluster({
 *   name: "crossbar",
 *   nats: { servers: ["nats://127.0.0.1:4222"] },
 *   heartbeatInterval: 500,
 *   failureTimeout: 2000,
 *   realms: [],
 *   logger: createLogger(),
 * });
 * await member.close();
 * ```
 *
 * @module
 */
export {
  type ClusterNode,
  joinCluster,
  type JoinClusterOptions,
  type MemberSummary,
} from "./cluster_node.ts";
export { ClusterError } from "./errors.ts";
export {
  freePort,
  type NatsServer,
  type NatsServerOptions,
  startNatsServer,
} from "./nats_server.ts";
export { type SuperviseOptions, superviseProcesses } from "./supervisor.ts";
export {
  CLUSTER_ENV,
  type ClusterSettings,
  clusterSettings,
  isSupervised,
  supervisedConfig,
} from "./settings.ts";
