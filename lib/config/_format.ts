/**
 * Turns valibot issues into {@link ConfigIssue}s: JSON path, position and
 * our own wording.
 *
 * @module
 */

import type * as v from "valibot";
import type { ConfigIssue } from "./config_error.ts";
import { describeValue, didYouMean } from "./_messages.ts";
import type { JsonPath, SourceMap } from "./_source_map.ts";
import type { UnknownKeyInfo } from "./_schema/common.ts";

const IDENTIFIER_REGEXP = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Renders a JSON path as `workers[0].paths["/"].type`.
 *
 * @param path The path.
 * @returns The rendered path; `""` for the document itself.
 */
export function renderPath(path: JsonPath): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (IDENTIFIER_REGEXP.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/**
 * The fallback message for a schema that has no message of its own.
 *
 * @param issue The valibot issue.
 * @returns The message.
 */
export function fallbackMessage(issue: v.BaseIssue<unknown>): string {
  return `expected ${issue.expected ?? "another value"}, found ${
    describeValue(issue.input)
  }`;
}

/** Where the source of a config is, if any. */
export interface IssueSource {
  readonly file?: string | undefined;
  readonly map?: SourceMap | undefined;
}

/**
 * Builds a positioned issue for a path and message.
 *
 * @param source The file and its source map, if any.
 * @param path The JSON path.
 * @param message The message.
 * @param atKey Point at the key rather than the value.
 * @returns The issue.
 */
export function makeIssue(
  source: IssueSource,
  path: JsonPath,
  message: string,
  atKey = false,
): ConfigIssue {
  const issue: ConfigIssue = { path: renderPath(path), message };
  if (source.file !== undefined) issue.file = source.file;
  if (source.map !== undefined) {
    const { line, column } = source.map.locate(path, atKey);
    issue.line = line;
    issue.column = column;
  }
  return issue;
}

/**
 * Converts valibot issues into config issues.
 *
 * @param issues The issues from `safeParse`.
 * @param source The file and its source map, if any.
 * @returns One config issue per valibot issue.
 */
export function convertIssues(
  issues: readonly v.BaseIssue<unknown>[],
  source: IssueSource,
): ConfigIssue[] {
  return issues.map((issue) => convertIssue(issue, source));
}

function convertIssue(
  issue: v.BaseIssue<unknown>,
  source: IssueSource,
): ConfigIssue {
  const path: (string | number)[] = (issue.path ?? []).map((item) =>
    item.key as string | number
  );
  const last = issue.path?.at(-1);
  const key = last?.key;
  if (issue.type === "never" && typeof key === "string") {
    const { allowed, hints } = JSON.parse(issue.message) as UnknownKeyInfo;
    const list = allowed.length ? ` (allowed: ${allowed.join(", ")})` : "";
    const hint = hints?.[key] !== undefined
      ? `; ${hints[key]}`
      : didYouMean(key, allowed);
    return makeIssue(
      source,
      path,
      `unknown attribute ${JSON.stringify(key)}${list}${hint}`,
      true,
    );
  }
  if (issue.type === "custom") {
    return makeIssue(source, path, issue.message, true);
  }
  if (last?.origin === "key") {
    const missing = issue.input === undefined &&
      issue.expected?.startsWith('"');
    return missing
      ? makeIssue(source, path.slice(0, -1), issue.message)
      : makeIssue(source, path, issue.message, true);
  }
  return makeIssue(source, path, issue.message);
}
