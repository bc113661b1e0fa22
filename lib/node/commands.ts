/**
 * What the CLI's commands do, apart from argument parsing (`main.ts`):
 * `start`, `check` and `init`. Each resolves with an exit code and reports
 * failures as one clear message, never a stack trace.
 *
 * @module
 */
import type { Logger } from "../log/mod.ts";
import {
  ConfigError,
  loadConfig,
  type LoadedConfig,
  resolveNodeDirectory,
} from "../config/mod.ts";
import { startNode } from "./node.ts";
import { checkApps } from "./services.ts";
import { writeNodeTemplate } from "./init_template.ts";

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
  logger.info(`Starting node from "${loaded.path}" (pid ${Deno.pid})`);
  let node;
  try {
    node = await startNode({
      config: loaded.config,
      cbdir: loaded.cbdir,
      logger,
    });
  } catch (error) {
    logger.error(`Could not start node: ${message(error)}`);
    return 1;
  }
  logger.info(
    `Node started (${Math.round(performance.now())} ms after launch)`,
  );
  const signal = options.signal ?? shutdownSignal();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
  logger.info("Shutting down");
  await node.close();
  logger.info("Node stopped");
  return 0;
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
  const problems = await checkApps(loaded.config, loaded.cbdir, loaded.path);
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
      `\nNode created. Start it with:\n  deno run -A main.ts start --cbdir ${
        written[0]!.replace(/\/config\.json$/, "")
      }\n`,
    );
    return 0;
  } catch (error) {
    options.print(`Error: ${message(error)}\n`);
    return 1;
  }
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
  const stop = () => controller.abort();
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  controller.signal.addEventListener("abort", () => {
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
  }, { once: true });
  return controller.signal;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
