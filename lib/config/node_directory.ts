/**
 * Finding the node directory and its config file, as Crossbar does.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { checkExtension } from "./load_config.ts";

/** Options for {@link resolveNodeDirectory}. */
export interface ResolveNodeDirectoryOptions {
  /** `--cbdir`: the node directory. */
  cbdir?: string;
  /** `--config`: the config file, relative to the node directory. */
  config?: string;
  /**
   * Environment, for `CROSSBAR_DIR`.
   * @default the process environment
   */
  env?: Record<string, string | undefined>;
  /** Directory relative paths start from. @default Deno.cwd() */
  cwd?: string;
}

/** The resolved node directory and config file. */
export interface NodeDirectory {
  /** Absolute node directory. */
  cbdir: string;
  /** Absolute config file path (it may not exist). */
  configPath: string;
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * Resolves the node directory (`--cbdir`, else `$CROSSBAR_DIR`, else
 * `./.crossbar`) and the config file in it (`--config`, relative to the
 * node directory, else `config.json`).
 *
 * @example Defaults
 * ```ts
 * import { resolveNodeDirectory } from "./mod.ts";
 *
 * const { cbdir, configPath } = resolveNodeDirectory({ cwd: "/srv/app", env: {} });
 * if (cbdir !== "/srv/app/.crossbar") throw new Error(cbdir);
 * if (configPath !== "/srv/app/.crossbar/config.json") throw new Error(configPath);
 * ```
 *
 * @param options Command-line values, environment and working directory.
 * @returns Absolute paths of the node directory and the config file.
 * @throws {ConfigError} For a YAML config (not supported yet) or a config
 * file whose extension is not `.json`.
 */
export function resolveNodeDirectory(
  options: ResolveNodeDirectoryOptions = {},
): NodeDirectory {
  const cwd = options.cwd ?? Deno.cwd();
  const fromEnv = options.env !== undefined
    ? options.env.CROSSBAR_DIR
    : readEnv("CROSSBAR_DIR");
  const cbdir = resolve(cwd, options.cbdir || fromEnv || ".crossbar");
  if (options.config) {
    const configPath = resolve(cbdir, options.config);
    checkExtension(configPath);
    return { cbdir, configPath };
  }
  const configPath = join(cbdir, "config.json");
  if (!exists(configPath)) {
    for (const name of ["config.yaml", "config.yml"]) {
      const yaml = join(cbdir, name);
      if (exists(yaml)) checkExtension(yaml);
    }
  }
  return { cbdir, configPath };
}

/** Whether `path` exists (`node:fs` would cost ~25 ms of start-up to load). */
function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
