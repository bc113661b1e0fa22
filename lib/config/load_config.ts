/**
 * Reading and validating a node configuration: from a file
 * ({@link loadConfig}), from text ({@link parseConfig}) or from a value
 * ({@link validateConfig}).
 *
 * @module
 */

import * as v from "valibot";
import { dirname, extname, resolve } from "node:path";
import { ConfigError, type ConfigIssue, formatIssue } from "./config_error.ts";
import { type Config, ConfigSchema } from "./schema.ts";
import { type Env, type EnvProblem, resolveEnvironment } from "./_env.ts";
import { crossCheck } from "./_cross_check.ts";
import {
  convertIssues,
  fallbackMessage,
  type IssueSource,
  makeIssue,
  renderPath,
} from "./_format.ts";
import { parseJsonc } from "./_source_map.ts";
import { MAX_NESTING } from "../jsonc/parse.ts";
import { nestsDeeperThan } from "./json_depth.ts";

/** A validated configuration and where it came from. */
export interface LoadedConfig {
  /** The configuration, defaults applied. */
  config: Config;
  /** Things worth telling the user that are not errors. */
  warnings: string[];
  /** The config file (absolute), or `""` for a config given as a value. */
  path: string;
  /** The node directory: relative paths in the config are resolved here. */
  cbdir: string;
}

/** Options for {@link loadConfig}, {@link parseConfig}, {@link validateConfig}. */
export interface ConfigOptions {
  /**
   * Environment for `"$VAR"` ports and `disabled` flags.
   * @default the process environment (read only when needed)
   */
  env?: Env;
  /**
   * The node directory. @default the folder of the config file, or the
   * current directory for {@link validateConfig}
   */
  cbdir?: string;
}

const VALIBOT_CONFIG = { message: fallbackMessage } as const;

/**
 * Reads, parses (JSON with comments and trailing commas) and validates a
 * node configuration file.
 *
 * @example Loading the node's config
 * ```ts ignore
 * import { loadConfig } from "./mod.ts";
 *
 * const { config, warnings } = await loadConfig(".crossbar/config.json");
 * ```
 *
 * @param path The config file.
 * @param options Environment and node directory.
 * @returns The validated config.
 * @throws {ConfigError} Listing every problem, each with file:line:column.
 */
export async function loadConfig(
  path: string,
  options: ConfigOptions = {},
): Promise<LoadedConfig> {
  checkExtension(path);
  let text: string;
  try {
    const { size } = await Deno.stat(path);
    if (size > MAX_CONFIG_BYTES) throw tooBig(path, size);
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = error instanceof Deno.errors.NotFound
      ? "file not found"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new ConfigError([{
      file: path,
      path: "",
      message: `cannot read the configuration file: ${reason}`,
    }], { cause: error });
  }
  return parseConfig(text, path, options);
}

/**
 * Throws for a config file name Crossbar would not read as JSON.
 *
 * @param path The config file.
 * @throws {ConfigError} For YAML and any extension but `.json`/`.jsonc`.
 */
export function checkExtension(path: string): void {
  const ext = extname(path).toLowerCase();
  if (ext === ".json" || ext === ".jsonc") return;
  const message = ext === ".yaml" || ext === ".yml"
    ? "YAML configs are not supported yet (convert the file to config.json)"
    : `invalid configuration file extension ${
      JSON.stringify(ext || "(none)")
    } (expected .json)`;
  throw new ConfigError([{ file: path, path: "", message }]);
}

/**
 * Parses and validates configuration text.
 *
 * @example Validating text
 * ```ts
 * import { parseConfig } from "./mod.ts";
 *
 * const { config } = parseConfig(
 *   '{"version": 2, "workers": [] /* none yet *\/}',
 *   "config.json",
 * );
 * if (config.workers.length !== 0) throw new Error("expected no workers");
 * ```
 *
 * @param text The JSONC text.
 * @param fileName The name used in messages (and for `cbdir`).
 * @param options Environment and node directory.
 * @returns The validated config.
 * @throws {ConfigError} Listing every problem, each with file:line:column.
 */
export function parseConfig(
  text: string,
  fileName: string,
  options: ConfigOptions = {},
): LoadedConfig {
  // Each UTF-16 unit is at least one byte of the file.
  if (text.length > MAX_CONFIG_BYTES) throw tooBig(fileName, text.length);
  const parsed = parseJsonc(text, fileName);
  if (Array.isArray(parsed)) throw new ConfigError(parsed);
  const source: IssueSource = { file: fileName, map: parsed };
  const warnings = parsed.duplicateKeys.map(({ path, position }) =>
    formatIssue({
      file: fileName,
      ...position,
      path: renderPath(path),
      message: "this attribute is given more than once; the last one is used",
    })
  );
  const forbidden = parsed.forbiddenKeys.map(({ path, position }) => ({
    file: fileName,
    ...position,
    path: renderPath(path),
    message: `attribute name ${
      JSON.stringify(path.at(-1))
    } is not allowed anywhere in a config`,
  }));
  const config = check(parsed.value, source, options.env, warnings, forbidden);
  return {
    config,
    warnings,
    path: resolve(fileName),
    cbdir: resolve(options.cbdir ?? dirname(resolve(fileName))),
  };
}

/**
 * Validates a configuration given as a value (in-process hosting). Issues
 * carry the JSON path but no line and column.
 *
 * @example Validating an object
 * ```ts
 * import { validateConfig } from "./mod.ts";
 *
 * const { config } = validateConfig({ version: 2, workers: [] });
 * if (config.controller.options.enable_parallel_worker_start) {
 *   throw new Error("expected the default (false)");
 * }
 * ```
 *
 * @param value The configuration object.
 * @param options Environment and node directory.
 * @returns The validated config.
 * @throws {ConfigError} Listing every problem.
 */
export function validateConfig(
  value: unknown,
  options: ConfigOptions = {},
): LoadedConfig {
  const warnings: string[] = [];
  if (nestsDeeperThan(value, MAX_NESTING)) {
    throw new ConfigError([{
      file: "",
      path: "",
      message:
        `values nested deeper than ${MAX_NESTING} levels (objects and arrays)`,
    }]);
  }
  const config = check(value, {}, options.env, warnings);
  return {
    config,
    warnings,
    path: "",
    cbdir: resolve(options.cbdir ?? "."),
  };
}

function check(
  raw: unknown,
  source: IssueSource,
  env: Env | undefined,
  warnings: string[],
  earlier: ConfigIssue[] = [],
): Config {
  const envProblems: EnvProblem[] = [];
  const value = resolveEnvironment(raw, env, envProblems);
  const result = v.safeParse(ConfigSchema, value, VALIBOT_CONFIG);
  const issues: ConfigIssue[] = [
    ...earlier,
    ...envProblems.map((p) => makeIssue(source, p.path, p.message)),
  ];
  if (!result.success) {
    const taken = new Set(issues.map((i) => i.path));
    const schemaIssues = convertIssues(result.issues, source)
      .filter((i) => !taken.has(i.path));
    issues.push(...schemaIssues);
  } else if (issues.length === 0) {
    for (const problem of crossCheck(result.output)) {
      issues.push(
        makeIssue(source, problem.path, problem.message, problem.atKey),
      );
    }
  }
  if (issues.length > 0) throw new ConfigError(sortIssues(issues));
  if (!hasVersion(raw)) {
    warnings.push(formatIssue(makeIssue(
      source,
      [],
      'no "version" given: reading the config as version 2 (add "version": 2)',
    )));
  }
  return result.output as Config;
}

/**
 * Largest config file read. Crossbar configs are a few KiB; a multi-megabyte
 * one is a mistake, and validating it would take seconds and gigabytes.
 */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

function tooBig(file: string, size: number): ConfigError {
  const mib = (size / (1024 * 1024)).toFixed(1);
  return new ConfigError([{
    file,
    path: "",
    message: `the configuration file is too large (${mib} MiB; at most ${
      MAX_CONFIG_BYTES / (1024 * 1024)
    } MiB are read)`,
  }]);
}

function hasVersion(raw: unknown): boolean {
  return raw !== null && typeof raw === "object" && "version" in raw;
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) =>
      (a.issue.line ?? 0) - (b.issue.line ?? 0) ||
      (a.issue.column ?? 0) - (b.issue.column ?? 0) ||
      a.index - b.index
    )
    .map(({ issue }) => issue);
}
