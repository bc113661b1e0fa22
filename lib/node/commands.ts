/**
 * What the CLI's commands do, apart from argument parsing (`main.ts`):
 * `start`, `check` and `init`. Each resolves with an exit code and reports
 * failures as one clear message, never a stack trace.
 *
 * @module
 */
import { join, relative, resolve as resolvePath } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import type { Logger } from "../log/mod.ts";
import {
  ConfigError,
  loadConfig,
  type LoadedConfig,
  resolveNodeDirectory,
} from "../config/mod.ts";
import { type Node, startNode } from "./node.ts";
import { isRunningNode, readPidFile, writePidFile } from "./pid_file.ts";
import { ReloadError } from "./reload.ts";
import { writeReloadStatus } from "./reload_status.ts";
import { watchNode } from "./watch.ts";
import { checkApps } from "./services.ts";
import { writeNodeTemplate } from "./init_template.ts";
import {
  checkClusterFiles,
  isSupervised,
  supervisedConfig,
} from "../cluster/settings.ts";

/** Where the node directory and config file are, as given on the CLI. */
export interface NodeLocation {
  /** `--cbdir`. */
  readonly cbdir?: string;
  /** `--config`. */
  readonly config?: string;
}

/** Options for {@link runStart}. */
export interface RunStartOptions extends NodeLocation {
  /** Where logs go. */
  readonly logger: Logger;
  /** Stops the node when aborted. @default {SIGINT or SIGTERM} */
  readonly signal?: AbortSignal;
  /** Reload on config changes and restart a pool on app changes. */
  readonly watch?: boolean;
  /** Node processes (`--processes`). @default {controller.cluster.processes} */
  readonly processes?: number;
  /** Log level handed to the node processes. @default {"info"} */
  readonly loglevel?: string;
}

/**
 * Loads the config, starts the node and runs until SIGINT or SIGTERM, then
 * stops gracefully.
 *
 * @param options Location, logger, stop signal.
 * @returns 0 after a clean stop, 1 when the node could not start.
 */
export async function runStart(options: RunStartOptions): Promise<number> {
  const { logger } = options;
  const loaded = await load(options, logger);
  if (loaded === undefined) return 1;
  for (const warning of loaded.warnings) logger.warn(warning);
  // Processes of a --processes supervisor share its node directory.
  const supervised = isSupervised(Deno.env.toObject());
  const other = supervised ? undefined : await readPidFile(loaded.cbdir);
  if (other !== undefined && other.pid !== Deno.pid && isRunningNode(other)) {
    logger.error(
      `A node is already running from "${loaded.cbdir}" (pid ${other.pid}); stop it first`,
    );
    return 1;
  }
  const processes = options.processes ??
    loaded.config.controller.cluster.processes;
  if (processes > 1 && !supervised) {
    return await runProcesses(processes, loaded, options);
  }
  // Signals are taken from here on: a SIGHUP or SIGTERM that arrives while
  // the node starts must not kill it (their default); it acts once started.
  const signal = options.signal ?? shutdownSignal();
  // Assigned once the node has started (below); SIGHUP before that is deferred.
  // deno-lint-ignore prefer-const
  let reload: ((only?: Set<string>) => Promise<boolean>) | undefined;
  let hangupPending = false;
  const onHangup = () => {
    if (reload === undefined) {
      hangupPending = true;
      return;
    }
    logger.info("SIGHUP: reloading the configuration");
    void reload();
  };
  Deno.addSignalListener("SIGHUP", onHangup);
  logger.info(`Starting node from "${loaded.path}" (pid ${Deno.pid})`);
  let node: Node;
  try {
    node = await startNode({
      config: supervisedConfig(loaded.config, Deno.env.toObject()),
      cbdir: loaded.cbdir,
      logger,
    });
  } catch (error) {
    Deno.removeSignalListener("SIGHUP", onHangup);
    logger.error(`Could not start node: ${message(error)}`);
    return 1;
  }
  let removePidFile = () => {};
  try {
    if (!supervised) removePidFile = await writePidFile(loaded.cbdir);
  } catch (error) {
    logger.warn(`Cannot write the pid file: ${message(error)}`);
  }
  logger.info(
    `Node started (${Math.round(performance.now())} ms after launch)`,
  );
  reload = reloader(node, loaded, options);
  if (hangupPending) onHangup();
  const watcher = options.watch
    ? await watchNode({
      configPath: loaded.path,
      cbdir: loaded.cbdir,
      config: loaded.config,
      logger,
      onConfig: () => {
        logger.info("Config file changed: reloading");
        void reload?.();
      },
      onApps: (keys) => {
        logger.info(`App files changed: restarting ${[...keys].join(", ")}`);
        void reload?.(keys);
      },
    })
    : undefined;
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  watcher?.close();
  Deno.removeSignalListener("SIGHUP", onHangup);
  logger.info("Shutting down");
  await node.close();
  removePidFile();
  logger.info("Node stopped");
  return 0;
}

/** `start --processes N`: the supervisor of N node processes. */
async function runProcesses(
  processes: number,
  loaded: LoadedConfig,
  options: RunStartOptions,
): Promise<number> {
  const { logger } = options;
  logger.info(
    `Starting ${processes} node processes from "${loaded.path}" (supervisor pid ${Deno.pid})`,
  );
  let removePidFile = () => {};
  try {
    removePidFile = await writePidFile(loaded.cbdir);
  } catch (error) {
    logger.warn(`Cannot write the pid file: ${message(error)}`);
  }
  const { superviseProcesses } = await import("../cluster/supervisor.ts");
  try {
    return await superviseProcesses({
      processes,
      config: loaded.config,
      args: [
        "--cbdir",
        loaded.cbdir,
        "--config",
        loaded.path,
        "--loglevel",
        options.loglevel ?? "info",
      ],
      logger,
      signal: options.signal ?? shutdownSignal(),
    });
  } finally {
    removePidFile();
  }
}

/**
 * Re-reads and validates the config, then reloads the node; on any error
 * the node keeps running as it was and every error is logged.
 */
function reloader(
  node: Node,
  loaded: LoadedConfig,
  location: NodeLocation & { readonly logger: Logger },
): (only?: Set<string>) => Promise<boolean> {
  const { logger } = location;
  return async (only) => {
    let next: LoadedConfig;
    try {
      next = only === undefined
        ? await loadConfig(loaded.path, { env: Deno.env.toObject() })
        : loaded;
      // As at start: a --processes node's own share of the config.
      next = {
        ...next,
        config: supervisedConfig(next.config, Deno.env.toObject()),
      };
    } catch (error) {
      logger.error(
        "Reload failed; the node keeps running with its current configuration:",
      );
      const lines = message(error).split("\n");
      for (const line of lines) logger.error(`  ${line}`);
      await writeReloadStatus(loaded.cbdir, false, lines);
      return false;
    }
    try {
      const summary = await node.reload(
        next.config,
        only === undefined ? {} : { only },
      );
      const done =
        `Reloaded: ${summary.replaced} path(s) restarted, ${summary.kept} kept`;
      logger.info(done);
      await writeReloadStatus(loaded.cbdir, true, [done]);
      void summary.retired.then(() =>
        logger.debug("Reload: the replaced services have stopped")
      );
      loaded = next;
      return true;
    } catch (error) {
      logger.error(
        "Reload failed; the node keeps running with its current configuration:",
      );
      const reasons = error instanceof ReloadError
        ? error.reasons
        : message(error).split("\n");
      for (const reason of reasons) logger.error(`  ${reason}`);
      await writeReloadStatus(loaded.cbdir, false, reasons);
      return false;
    }
  };
}

/** Options for {@link runCheck}. */
export interface RunCheckOptions extends NodeLocation {
  /** Prints one chunk of the report to stdout. */
  readonly print: (text: string) => void;
  /** Where app-loading diagnostics go. */
  readonly logger: Logger;
}

/**
 * Validates the config and loads every hosted app (module and export) in a
 * worker with its configured permissions, as `start` would.
 *
 * @param options Location and output.
 * @returns 0 when everything is fine, 1 otherwise.
 */
export async function runCheck(options: RunCheckOptions): Promise<number> {
  const report = (text: string) => options.print(text + "\n");
  let loaded: LoadedConfig;
  try {
    const where = resolveNodeDirectory(locate(options));
    report(`Checking local node configuration file: ${where.configPath}`);
    loaded = await loadConfig(where.configPath, { env: Deno.env.toObject() });
  } catch (error) {
    report(`Error: ${message(error)}`);
    return 1;
  }
  for (const warning of loaded.warnings) report(`Warning: ${warning}`);
  const problems = [
    ...await checkClusterFiles(loaded.config, loaded.cbdir),
    ...await checkApps(loaded.config, loaded.cbdir, loaded.path),
  ];
  if (problems.length > 0) {
    for (const problem of problems) report(`Error: ${problem}`);
    return 1;
  }
  report("Ok, node configuration looks good!");
  return 0;
}

/** Options for {@link runInit}. */
export interface RunInitOptions {
  /** The folder to create the node in. */
  readonly appdir: string;
  /** Prints one chunk of the report to stdout. */
  readonly print: (text: string) => void;
}

/**
 * Writes a working node (config and an example app) into `appdir`.
 *
 * @param options Folder and output.
 * @returns 0 on success, 1 when the folder already holds a node.
 */
export async function runInit(options: RunInitOptions): Promise<number> {
  try {
    const written = await writeNodeTemplate(options.appdir);
    for (const file of written) options.print(`Created ${file}\n`);
    options.print(
      `\nNode created. Start it with:\n  ${startCommand(options.appdir)}\n`,
    );
    return 0;
  } catch (error) {
    options.print(`Error: ${message(error)}\n`);
    return 1;
  }
}

/**
 * The command that starts a node created in `appdir`, as typed where init
 * ran: the installed command when init came through it (the launcher sets
 * `CROSSBAR_DENO_COMMAND`), else `deno run` on this checkout's main.ts.
 */
function startCommand(appdir: string): string {
  const installed = Deno.env.get("CROSSBAR_DENO_COMMAND");
  const cbdir = relative(Deno.cwd(), join(resolvePath(appdir), ".crossbar"));
  const where = cbdir === ".crossbar" ? "" : ` --cbdir ${quote(cbdir)}`;
  if (installed) return `${installed} start${where}`;
  const root = new URL("../../", import.meta.url);
  const main = fromFileUrl(new URL("main.ts", root));
  const config = fromFileUrl(new URL("deno.json", root));
  return `deno run -A --config ${quote(config)} ${quote(main)} start${where}`;
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", "'\\''")}'`;
}

async function load(
  location: NodeLocation,
  logger: Logger,
): Promise<LoadedConfig | undefined> {
  try {
    const where = resolveNodeDirectory(locate(location));
    return await loadConfig(where.configPath, { env: Deno.env.toObject() });
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.error(`Invalid node configuration:\n${error.message}`);
    } else {
      logger.error(message(error));
    }
    return undefined;
  }
}

function locate(location: NodeLocation) {
  return {
    ...location,
    env: Deno.env.toObject(),
    cwd: Deno.cwd(),
  };
}

function shutdownSignal(): AbortSignal {
  const controller = new AbortController();
  // The listeners stay until the process exits: a second SIGINT (a terminal
  // and the launcher both pass Ctrl-C on) must not cut the graceful stop.
  const stop = () => controller.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  return controller.signal;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
