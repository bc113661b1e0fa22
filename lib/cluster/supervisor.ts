/**
 * `start --processes N`: runs N node processes on this machine that share
 * every TCP port (SO_REUSEPORT) and form one cluster.
 *
 * Lifecycle:
 * 1. Without `controller.cluster.nats`, start a local `nats-server`
 *    (`nats_server.ts`) on a free loopback port.
 * 2. Pick one free port for each TCP endpoint configured with port 0.
 * 3. Spawn N processes of this program (`start`, same node directory),
 *    each told its index, the NATS URL and the ports (`settings.ts`).
 * 4. A process that exits unexpectedly is started again (after 1 s); one
 *    that fails within its first 10 s stops the whole node (exit 1).
 * 5. SIGHUP (`reload`) is passed on to every process.
 * 6. On SIGINT/SIGTERM: SIGTERM to every process, wait, stop NATS.
 *
 * @module
 */
import type { Config } from "../config/mod.ts";
import type { Logger } from "../log/mod.ts";
import { freePort, type NatsServer, startNatsServer } from "./nats_server.ts";
import { CLUSTER_ENV, zeroPortCount } from "./settings.ts";

/** Options for {@link superviseProcesses}. */
export interface SuperviseOptions {
  /** Number of node processes. */
  readonly processes: number;
  /** The validated config (for the NATS settings and port-0 endpoints). */
  readonly config: Config;
  /** Arguments for each process after `start` (`--cbdir`, `--config`…). */
  readonly args: readonly string[];
  /** Where the supervisor logs. */
  readonly logger: Logger;
  /** Stops everything when aborted. */
  readonly signal: AbortSignal;
}

const MAIN = new URL("../../main.ts", import.meta.url);
const DENO_JSON = new URL("../../deno.json", import.meta.url);

/** A fast failure: a process that exits this soon stops the node. */
const EARLY_EXIT_MS = 10_000;

/**
 * Runs the processes until `signal` aborts.
 *
 * @param options Count, config, arguments, logger, signal.
 * @returns The exit code: 0 after a clean stop, 1 when it could not run.
 */
export async function superviseProcesses(
  options: SuperviseOptions,
): Promise<number> {
  const { logger } = options;
  const cluster = options.config.controller.cluster;
  let nats: NatsServer | undefined;
  let natsUrl: string | undefined;
  if (cluster.nats === undefined) {
    try {
      nats = await startNatsServer({ binary: cluster.nats_server });
    } catch (error) {
      logger.error((error as Error).message);
      return 1;
    }
    natsUrl = nats.url;
    logger.info(`Local NATS server started on ${nats.url} (pid ${nats.pid})`);
  }
  const ports = Array.from(
    { length: zeroPortCount(options.config) },
    () => freePort(),
  );
  const env: Record<string, string> = {
    [CLUSTER_ENV.ports]: JSON.stringify(ports),
    ...(natsUrl !== undefined && { [CLUSTER_ENV.nats]: natsUrl }),
  };
  const children = new Map<number, Deno.ChildProcess>();
  let stopping = false;
  let failed = false;
  const done = Promise.withResolvers<void>();
  const spawn = (index: number) => {
    const started = performance.now();
    const child = spawnProcess(index, options.args, env);
    children.set(index, child);
    logger.info(`Node process ${index} started (pid ${child.pid})`);
    child.status.then((status) => {
      children.delete(index);
      if (stopping) {
        if (children.size === 0) done.resolve();
        return;
      }
      const early = performance.now() - started < EARLY_EXIT_MS;
      if (early && status.code !== 0 && status.signal === null) {
        logger.error(
          `Node process ${index} exited with code ${status.code} during start-up; stopping the node`,
        );
        failed = true;
        stop();
        return;
      }
      logger.warn(
        `Node process ${index} (pid ${child.pid}) exited (${
          status.signal ?? `code ${status.code}`
        }); starting it again`,
      );
      setTimeout(() => {
        if (!stopping) spawn(index);
      }, 1000);
    });
  };
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (children.size === 0) done.resolve();
    for (const child of children.values()) {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
    }
  };
  options.signal.addEventListener("abort", stop, { once: true });
  // `reload` (SIGHUP) reaches every process.
  const hangup = () => {
    for (const child of children.values()) {
      try {
        child.kill("SIGHUP");
      } catch { /* gone */ }
    }
  };
  Deno.addSignalListener("SIGHUP", hangup);
  for (let i = 0; i < options.processes; i++) spawn(i);
  if (options.signal.aborted) stop();
  await done.promise;
  Deno.removeSignalListener("SIGHUP", hangup);
  await nats?.close();
  return failed ? 1 : 0;
}

function spawnProcess(
  index: number,
  args: readonly string[],
  env: Record<string, string>,
): Deno.ChildProcess {
  const flags = ["run", "-A", "--unstable-net", "--unstable-worker-options"];
  try {
    Deno.statSync(DENO_JSON);
    flags.push("--config", DENO_JSON.pathname);
  } catch { /* a compiled binary or no config */ }
  return new Deno.Command(Deno.execPath(), {
    args: [...flags, MAIN.pathname, "start", ...args],
    env: { ...env, [CLUSTER_ENV.process]: String(index) },
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
}
