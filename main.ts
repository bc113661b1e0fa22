/**
 * The command line: `start`, `check`, `init` and `version`, with Crossbar's
 * flags `--cbdir`, `--config` and `--loglevel`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createLogger, LOG_LEVELS, type LogLevel } from "./lib/log/mod.ts";
import { VERSION } from "./lib/version.ts";

const USAGE = `Usage: crossbar-deno <command> [options]

Commands:
  start     Start the node from its node directory
  check     Check the node configuration (and load every app)
  init      Create a node directory with a working example app
  stop      Stop the running node (SIGTERM through node.pid) and wait
  status    Say whether the node runs (pid, uptime); exit 3 when stopped
  reload    Reload the running node's configuration (SIGHUP)
  version   Print versions

Options:
  --cbdir DIR       Node directory (default: $CROSSBAR_DIR, else ./.crossbar)
  --config FILE     Config file, relative to the node directory (default: config.json)
  --loglevel LEVEL  none, error, warn, info, debug or trace (default: info)
  --appdir DIR      With init: where to create the node (default: .)
  --processes N     With start: run N node processes sharing the ports, as
                    one cluster (default: controller.cluster.processes, else 1)
  --watch           With start: reload on config changes, restart an app's
                    workers when its files change
  --help            Show this help
`;

/** Exit code for a wrong command line (as `sysexits` EX_USAGE). */
const EXIT_USAGE = 2;

/**
 * Runs the command line and resolves with the process exit code.
 *
 * @param args The arguments after the program name.
 * @returns The exit code.
 */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        cbdir: { type: "string" },
        config: { type: "string" },
        loglevel: { type: "string", default: "info" },
        appdir: { type: "string" },
        watch: { type: "boolean" },
        processes: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    print(USAGE);
    return 0;
  }
  const level = values.loglevel as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    return usageError(
      `Invalid --loglevel "${values.loglevel}" (expected one of: ${
        LOG_LEVELS.join(", ")
      })`,
    );
  }
  const processes = values.processes === undefined
    ? undefined
    : Number(values.processes);
  if (
    processes !== undefined &&
    !(Number.isInteger(processes) && processes >= 1 && processes <= 256)
  ) {
    return usageError(
      `Invalid --processes "${values.processes}" (expected an integer from 1 to 256)`,
    );
  }
  const [command, ...extra] = positionals;
  if (extra.length > 0) return usageError(`Unexpected argument "${extra[0]}"`);
  const logger = createLogger({ level, source: "node" });
  const where = {
    ...(values.cbdir !== undefined && { cbdir: values.cbdir }),
    ...(values.config !== undefined && { config: values.config }),
  };
  // The node's modules load only for the commands that need them.
  const commands = () => import("./lib/node/commands.ts");
  switch (command) {
    case "start":
      return await (await commands()).runStart({
        ...where,
        logger,
        watch: values.watch === true,
        loglevel: level,
        ...(processes !== undefined && { processes }),
      });
    case "stop":
    case "status":
    case "reload": {
      const control = await import("./lib/node/control.ts");
      const { resolveNodeDirectory } = await import("./lib/config/mod.ts");
      const { cbdir } = resolveNodeDirectory({
        ...where,
        env: Deno.env.toObject(),
        cwd: Deno.cwd(),
      });
      const run = command === "stop"
        ? control.runStop
        : command === "status"
        ? control.runStatus
        : control.runReload;
      return await run({ cbdir, print: (line) => print(line + "\n") });
    }
    case "check":
      return await (await commands()).runCheck({ ...where, print, logger });
    case "init":
      return await (await commands()).runInit({
        appdir: values.appdir ?? ".",
        print,
      });
    case "version":
      print(
        `crossbar-deno ${VERSION}\ndeno ${Deno.version.deno}\nv8 ${Deno.version.v8}\ntypescript ${Deno.version.typescript}\n`,
      );
      return 0;
    case undefined:
      print(USAGE);
      return EXIT_USAGE;
    default:
      return usageError(`Unknown command "${command}"`);
  }
}

function print(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

function usageError(message: string): number {
  Deno.stderr.writeSync(
    new TextEncoder().encode(`Error: ${message}\n\n${USAGE}`),
  );
  return EXIT_USAGE;
}

if (import.meta.main) {
  // Exit at once: a failed start must not linger on open handles.
  Deno.exit(await main(Deno.args));
}
