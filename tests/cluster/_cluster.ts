/**
 * Helpers for cluster tests: a real `nats-server` on a free loopback port,
 * node processes (`main.ts start`) joined to it, and autobahn-js sessions.
 */
import { dirname } from "node:path";
import { startNatsServer } from "../../lib/cluster/nats_server.ts";
import type { NatsServer } from "../../lib/cluster/nats_server.ts";
import { type CliProcess, spawnCli } from "../_helpers/node.ts";

export {
  type AutobahnClient,
  autobahnConnect,
  nextCall,
  RawWampClient,
  within,
} from "../wamp/wire/_wire_helpers.ts";

/** The error URI of an autobahn-js rejection. */
export function errorUri(error: unknown): string {
  return (error as { error?: string }).error ?? String(error);
}

/** Waits until a session on some node sees `procedure` with `count` callees. */
export async function callees(
  client: { session: { call: (...a: unknown[]) => Promise<unknown> } },
  procedure: string,
  count: number,
  match = "exact",
): Promise<void> {
  await eventually(async () => {
    const id = await client.session.call("wamp.registration.lookup", [
      procedure,
      { match },
    ]);
    if (id === null) return count === 0;
    return await client.session.call("wamp.registration.count_callees", [
      id,
    ]) === count;
  }, `${count} callees of ${procedure}`);
}

/** Waits until `client`'s node sees `count` subscribers of `topic`. */
export async function subscribers(
  client: { session: { call: (...a: unknown[]) => Promise<unknown> } },
  topic: string,
  match: string,
  count: number,
): Promise<void> {
  await eventually(async () => {
    const id = await client.session.call("wamp.subscription.lookup", [topic, {
      match,
    }]);
    if (id === null) return count === 0;
    const n = await client.session.call("wamp.subscription.count_subscribers", [
      id,
    ]);
    return n === count;
  }, `${count} subscribers of ${topic} (${match})`);
}

/** Both values of `controller.cluster.host_links`, for tests run in each. */
export const HOST_LINK_MODES = [
  { hostLinks: true, label: "host links" },
  { hostLinks: false, label: "NATS only" },
] as const;

/** Node options setting `controller.cluster.host_links` to `on`. */
export function hostLinks(on: boolean): ClusterNodeOptions {
  return { cluster: { host_links: on } };
}

/** Heartbeat and failure timeout the test nodes use (ms). */
export const HEARTBEAT_MS = 250;
/** Generous, since the test machine is busy; detection tests wait for it. */
export const FAILURE_TIMEOUT_MS = 3000;

/** A permission allowing everything, disclosing callers and publishers. */
const ALLOW_ALL = {
  uri: "",
  match: "prefix",
  allow: { call: true, register: true, publish: true, subscribe: true },
  disclose: { caller: true, publisher: true },
};

/** Starts a real nats-server on a free loopback port (`args`: more flags). */
export function startNats(
  port?: number,
  args?: readonly string[],
): Promise<NatsServer> {
  return startNatsServer({
    ...(port !== undefined && { port }),
    ...(args !== undefined && { args }),
  });
}

/** A node process of a test cluster. */
export interface ClusterProcess extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/ws` */
  readonly ws: string;
  /** Its cluster member id. */
  readonly member: string;
  /** The CLI process. */
  readonly cli: CliProcess;
}

/** Options for {@link startClusterNode}. */
export interface ClusterNodeOptions {
  /** Cluster name. @default {"test"} */
  readonly name?: string;
  /** Extra controller.cluster keys. */
  readonly cluster?: Record<string, unknown>;
  /** Extra realm roles (the default role `anonymous` may do everything). */
  readonly roles?: unknown[];
  /** Extra paths of the web transport. */
  readonly paths?: Record<string, unknown>;
}

/** The config of a test node joined to `natsUrl`. */
export function clusterConfig(
  natsUrl: string | undefined,
  options: ClusterNodeOptions = {},
): Record<string, unknown> {
  return {
    version: 2,
    controller: {
      cluster: {
        name: options.name ?? "test",
        ...(natsUrl !== undefined && { nats: { servers: [natsUrl] } }),
        heartbeat_interval: HEARTBEAT_MS,
        failure_timeout: FAILURE_TIMEOUT_MS,
        ...options.cluster,
      },
    },
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        roles: [
          { name: "anonymous", permissions: [ALLOW_ALL] },
          { name: "quiet", permissions: [{ ...ALLOW_ALL, disclose: {} }] },
          ...(options.roles ?? []),
        ],
      }],
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        paths: {
          "/": { type: "nodeinfo" },
          ws: { type: "websocket" },
          ...options.paths,
        },
      }],
    }],
  };
}

/** Writes a node directory with `config` (and `files`); removed on dispose. */
export async function nodeDir(
  config: Record<string, unknown>,
  files: Record<string, string> = {},
): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "cluster_test_" });
  await Deno.writeTextFile(`${path}/config.json`, JSON.stringify(config));
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(`${path}/${name}`), { recursive: true });
    await Deno.writeTextFile(`${path}/${name}`, text);
  }
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/**
 * Starts `main.ts start` on a fresh node directory holding `config`, and
 * waits until it listens and has joined the cluster.
 */
export async function startClusterNode(
  config: Record<string, unknown>,
  extraArgs: string[] = [],
  files: Record<string, string> = {},
): Promise<ClusterProcess> {
  const dir = await nodeDir(config, files);
  const cli = spawnCli(["start", "--cbdir", dir.path, ...extraArgs]);
  try {
    const listening = await cli.waitForLine(/listening on http:\/\/\S+/);
    const joined = await cli.waitForLine(/Joined cluster/);
    const url = listening.match(/(http:\/\/[^\s]+)/)![1]!;
    const member = joined.match(/as member (\w+)/)![1]!;
    return {
      url,
      ws: url.replace("http:", "ws:") + "/ws",
      member,
      cli,
      [Symbol.asyncDispose]: async () => {
        cli.kill("SIGTERM");
        await cli.status;
        await dir[Symbol.asyncDispose]();
      },
    };
  } catch (error) {
    await cli[Symbol.asyncDispose]();
    await dir[Symbol.asyncDispose]();
    throw error;
  }
}

/** Resolves once `condition()` holds; checks again on every `tick`. */
export async function eventually(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
