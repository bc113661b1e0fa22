/**
 * The error thrown for an invalid node configuration.
 *
 * @module
 */

/** One problem found in a configuration. */
export interface ConfigIssue {
  /** The config file, when the config came from one. */
  file?: string;
  /** 1-based line of the offending value (or key), when known. */
  line?: number;
  /** 1-based column of the offending value (or key), when known. */
  column?: number;
  /**
   * Where in the config, e.g. `workers[0].transports[0].paths["/"].type`;
   * `""` for the whole document.
   */
  path: string;
  /** What is wrong and what is allowed. */
  message: string;
}

/**
 * Renders one issue as `file:line:column: path: message`, leaving out the
 * parts that are unknown.
 *
 * @param issue The issue.
 * @returns One line of text.
 */
export function formatIssue(issue: ConfigIssue): string {
  let where = issue.file ?? "";
  if (issue.file !== undefined && issue.line !== undefined) {
    where += `:${issue.line}:${issue.column ?? 1}`;
  }
  const parts = [where, issue.path, issue.message].filter((p) => p !== "");
  return parts.join(": ");
}

/**
 * An invalid node configuration. `message` lists every problem, one per
 * line; `issues` has them as data.
 *
 * @example Reporting a bad config
 * ```ts
 * import { ConfigError, parseConfig } from "./mod.ts";
 *
 * let message = "";
 * try {
 *   parseConfig('{"version": 2, "workers": 3}', "config.json");
 * } catch (error) {
 *   if (error instanceof ConfigError) message = error.message;
 * }
 * if (message !== "config.json:1:27: workers: expected a list of workers, found a number (3)") {
 *   throw new Error(`unexpected message: ${message}`);
 * }
 * ```
 */
export class ConfigError extends Error {
  /** Every problem found, in document order. */
  readonly issues: ConfigIssue[];

  /**
   * @param issues The problems; at least one.
   * @param options Standard error options (`cause`).
   */
  constructor(issues: ConfigIssue[], options?: ErrorOptions) {
    super(issues.map(formatIssue).join("\n"), options);
    this.name = "ConfigError";
    this.issues = issues;
  }
}
