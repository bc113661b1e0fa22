/**
 * Whether and how this node process joins a cluster, from its config and
 * the environment its supervisor (`start --processes N`) gave it. Cheap:
 * it loads nothing of NATS, so an unclustered node pays nothing.
 *
 * The supervisor → process contract (environment variables):
 * - `CROSSBAR_CLUSTER_NATS`: the NATS URL to use (the local `nats-server`);
 * - `CROSSBAR_CLUSTER_PROCESS`: this process's index, from 0;
 * - `CROSSBAR_CLUSTER_PORTS`: JSON list of the ports chosen for the TCP
 *   endpoints configured with port 0, in config order.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { NatsSettings } from "./connection.ts";
import { readNatsTls } from "./_tls.ts";

/** Environment variable names of the supervisor → process contract. */
export const CLUSTER_ENV = {
  nats: "CROSSBAR_CLUSTER_NATS",
  process: "CROSSBAR_CLUSTER_PROCESS",
  ports: "CROSSBAR_CLUSTER_PORTS",
} as const;

/** How this process joins its cluster. */
export interface ClusterSettings {
  /** Cluster name. */
  readonly name: string;
  /** NATS servers and credentials. */
  readonly nats: NatsSettings;
  /** Heartbeat period (ms). */
  readonly heartbeatInterval: number;
  /** Silence after which a member is dead (ms). */
  readonly failureTimeout: number;
  /** Process index on this host. */
  readonly process: number;
  /** Whether members on this host use host links. */
  readonly hostLinks: boolean;
}

/**
 * The cluster settings of this process, or `undefined` when it is not
 * clustered (no `controller.cluster.nats` and no supervisor).
 *
 * @param config The validated config.
 * @param env The environment.
 * @returns The settings, if clustered.
 */
export function clusterSettings(
  config: Config,
  env: Record<string, string | undefined>,
): ClusterSettings | undefined {
  const cluster = config.controller.cluster;
  const supervised = env[CLUSTER_ENV.nats];
  if (supervised === undefined && cluster.nats === undefined) return undefined;
  const nats: NatsSettings = supervised !== undefined
    ? { servers: [supervised] }
    : cluster.nats!;
  return {
    name: cluster.name,
    nats,
    heartbeatInterval: cluster.heartbeat_interval,
    failureTimeout: cluster.failure_timeout,
    process: Number(env[CLUSTER_ENV.process] ?? 0) || 0,
    hostLinks: cluster.host_links,
  };
}

/**
 * What `check` reports about the cluster settings: NATS TLS files that
 * cannot be read (as `start` would fail on them).
 *
 * @param config The validated config.
 * @param cbdir The node directory.
 * @returns One message per problem.
 */
export async function checkClusterFiles(
  config: Config,
  cbdir: string,
): Promise<string[]> {
  const nats = config.controller.cluster?.nats;
  if (nats?.tls === undefined) return [];
  try {
    await readNatsTls(nats.tls, nats.servers, cbdir);
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}

/** Whether this process was started by a `--processes` supervisor. */
export function isSupervised(
  env: Record<string, string | undefined>,
): boolean {
  return env[CLUSTER_ENV.process] !== undefined;
}

/**
 * The config as a supervised process runs it: every TCP endpoint shared
 * (SO_REUSEPORT), and port 0 replaced by the port the supervisor chose.
 *
 * @param config The validated config (not changed).
 * @param env The environment.
 * @returns The config to start.
 */
export function supervisedConfig(
  config: Config,
  env: Record<string, string | undefined>,
): Config {
  if (!isSupervised(env)) return config;
  const ports = JSON.parse(env[CLUSTER_ENV.ports] ?? "[]") as number[];
  let next = 0;
  const copy = structuredClone(config);
  for (const worker of copy.workers) {
    if (worker.type !== "router") continue;
    for (const transport of worker.transports) {
      const endpoint = transport.endpoint;
      if (endpoint.type !== "tcp") continue;
      endpoint.shared = true;
      if (endpoint.port === 0 && endpoint.portrange === undefined) {
        endpoint.port = ports[next++] ?? 0;
      }
    }
  }
  return copy;
}

/**
 * How many TCP endpoints of `config` listen on port 0 (the supervisor
 * picks one port for each, shared by all its processes).
 *
 * @param config The validated config.
 * @returns The count.
 */
export function zeroPortCount(config: Config): number {
  let count = 0;
  for (const worker of config.workers) {
    if (worker.type !== "router") continue;
    for (const transport of worker.transports) {
      const e = transport.endpoint;
      if (e.type === "tcp" && e.port === 0 && e.portrange === undefined) {
        count++;
      }
    }
  }
  return count;
}
