/**
 * The installed `crossbar-deno` command. It runs the node (`main.ts`) in a
 * child Deno process set up the way `deno run` would be in the user's
 * project:
 *
 * - `--config` is the nearest `deno.json(c)` above the node directory (its
 *   lock, `nodeModulesDir` and compiler options apply), or `--no-config`;
 * - `--import-map` is the project's import map plus `crossbar/app` plus the
 *   node's own dependencies in a scope covering only the node's code
 *   (`project.ts`);
 * - the node's `unstable` features are passed as flags.
 *
 * Web Workers share their process's import map, so every hosted app sees
 * exactly the project's imports and `crossbar/app`. Signals are passed on to
 * the node; the launcher exits with the node's exit code.
 *
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import nodeConfig from "../../deno.json" with { type: "json" };
import {
  findProjectConfig,
  importMapUrl,
  nodeImportMap,
  readProjectImportMap,
} from "./project.ts";

/** Where the node's code is: the folder holding `main.ts`. */
const NODE_ROOT = new URL("../../", import.meta.url).href;

/** The signals passed on to the node. */
const FORWARDED: readonly Deno.Signal[] = ["SIGTERM", "SIGHUP", "SIGINT"];

/** Options for {@link launch}. */
export interface LaunchOptions {
  /** Environment (for `CROSSBAR_DIR`). @default {Deno.env} */
  readonly env?: Record<string, string | undefined>;
  /** Current directory. @default {Deno.cwd()} */
  readonly cwd?: string;
}

/**
 * Runs the node command line in a child process set up for the project.
 *
 * @param args The command line (`start --cbdir …`).
 * @param options Environment and current directory.
 * @returns The node's exit code.
 */
export async function launch(
  args: readonly string[],
  options: LaunchOptions = {},
): Promise<number> {
  let denoArgs: string[];
  try {
    denoArgs = await nodeDenoArgs(args, options);
  } catch (error) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`Error: ${(error as Error).message}\n`),
    );
    return 1;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: denoArgs,
    // Lets `init` print the command that started it.
    env: { CROSSBAR_DENO_COMMAND: "crossbar-deno" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const forward = FORWARDED.map((signal) => {
    const pass = () => {
      try {
        child.kill(signal);
      } catch {
        // The child has already exited.
      }
    };
    Deno.addSignalListener(signal, pass);
    return () => Deno.removeSignalListener(signal, pass);
  });
  const status = await child.status;
  for (const remove of forward) remove();
  return status.signal === null ? status.code : 128 + signalNumber(status);
}

/**
 * The `deno` arguments that run the node for `args`.
 *
 * @param args The node's command line.
 * @param options Environment and current directory.
 * @returns Arguments for `Deno.execPath()`.
 * @throws {ProjectConfigError} When the project's config cannot be read.
 */
export async function nodeDenoArgs(
  args: readonly string[],
  options: LaunchOptions = {},
): Promise<string[]> {
  const env = options.env ?? Deno.env.toObject();
  const cwd = options.cwd ?? Deno.cwd();
  const start = needsProject(args[0])
    ? resolve(
      cwd,
      optionValue(args, "cbdir") ?? env.CROSSBAR_DIR ?? ".crossbar",
    )
    : undefined;
  const found = start === undefined
    ? undefined
    : await findProjectConfig(start);
  // The checkout's own examples (`deno task start`) run without its
  // deno.json, whose top-level npm packages include the test tooling: the
  // node's scope below maps what its code and examples import.
  const configPath = found === fileURLToPath(new URL("deno.json", NODE_ROOT))
    ? undefined
    : found;
  const map = nodeImportMap({
    project: configPath === undefined
      ? undefined
      : await readProjectImportMap(configPath),
    nodeRoot: NODE_ROOT,
    nodeImports: nodeConfig.imports,
  });
  return [
    "run",
    "--allow-all",
    ...nodeConfig.unstable.map((feature) => `--unstable-${feature}`),
    ...(configPath === undefined ? ["--no-config"] : ["--config", configPath]),
    `--import-map=${importMapUrl(map)}`,
    new URL("main.ts", NODE_ROOT).href,
    ...args,
  ];
}

/** Commands that load the project's apps and so need its imports. */
function needsProject(command: string | undefined): boolean {
  return command === "start" || command === "check";
}

function optionValue(args: readonly string[], name: string) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === `--${name}`) return args[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

const SIGNAL_NUMBERS: Partial<Record<Deno.Signal, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGKILL: 9,
  SIGTERM: 15,
};

function signalNumber(status: Deno.CommandStatus): number {
  return SIGNAL_NUMBERS[status.signal as Deno.Signal] ?? 0;
}
