/**
 * Environment references resolved before validation: a tcp endpoint
 * `"port": "$PORT"` and a worker `"disabled": "$VAR"` (or `${VAR}`).
 * Other `${VAR}` strings (ticket and WAMP-CRA secrets) are left alone for the
 * authentication layer.
 *
 * @module
 */

import type { JsonPath } from "./_source_map.ts";

/** An environment: variable names to values. */
export type Env = Record<string, string | undefined>;

/** A problem found while resolving references. */
export interface EnvProblem {
  readonly path: JsonPath;
  readonly message: string;
}

const REFERENCE_REGEXP =
  /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/;
const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off", ""]);

/**
 * Returns the variable name of a `$VAR` or `${VAR}` string.
 *
 * @param value Any config value.
 * @returns The name, or `undefined` when the value is not a reference.
 */
export function envReference(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = REFERENCE_REGEXP.exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

function lookup(name: string, env: Env | undefined): string | undefined {
  if (env !== undefined) return env[name];
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Replaces the value at `path`, copying every container on the way. */
function replaceAt(root: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy: Record<string | number, unknown> = Array.isArray(root)
    ? [...root] as unknown as Record<number, unknown>
    : { ...(root as Record<string, unknown>) };
  copy[head] = replaceAt(copy[head], rest, value);
  return copy;
}

/**
 * Resolves environment references in a raw config without changing it.
 *
 * @param raw The config as parsed.
 * @param env The environment, or `undefined` to read the process's.
 * @param problems Receives each reference that cannot be resolved.
 * @returns The config with references replaced (a copy where changed).
 */
export function resolveEnvironment(
  raw: unknown,
  env: Env | undefined,
  problems: EnvProblem[],
): unknown {
  if (!isObject(raw) || !Array.isArray(raw.workers)) return raw;
  let result = raw;
  raw.workers.forEach((worker: unknown, w) => {
    if (!isObject(worker)) return;
    const options = worker.options;
    if (isObject(options)) {
      const path = ["workers", w, "options", "disabled"];
      const resolved = resolveFlag(options.disabled, env, path, problems);
      if (resolved !== undefined) {
        result = replaceAt(result, path, resolved) as typeof raw;
      }
    }
    if (!Array.isArray(worker.transports)) return;
    worker.transports.forEach((transport: unknown, t) => {
      if (!isObject(transport) || !isObject(transport.endpoint)) return;
      const path = ["workers", w, "transports", t, "endpoint", "port"];
      const resolved = resolvePort(
        transport.endpoint.port,
        env,
        path,
        problems,
      );
      if (resolved !== undefined) {
        result = replaceAt(result, path, resolved) as typeof raw;
      }
    });
  });
  return result;
}

function resolvePort(
  value: unknown,
  env: Env | undefined,
  path: JsonPath,
  problems: EnvProblem[],
): number | undefined {
  const name = envReference(value);
  if (name === undefined) return undefined;
  const text = lookup(name, env);
  if (text === undefined) {
    problems.push({
      path,
      message:
        `environment variable "${name}" is not set (the port is given as ${
          JSON.stringify(value)
        })`,
    });
    return undefined;
  }
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    problems.push({
      path,
      message: `environment variable "${name}" is ${
        JSON.stringify(text)
      }, which is not a port number (0 to 65535)`,
    });
    return undefined;
  }
  return port;
}

function resolveFlag(
  value: unknown,
  env: Env | undefined,
  path: JsonPath,
  problems: EnvProblem[],
): boolean | undefined {
  const name = envReference(value);
  if (name === undefined) return undefined;
  const text = lookup(name, env)?.trim().toLowerCase();
  if (text === undefined) {
    problems.push({
      path,
      message: `environment variable "${name}" is not set`,
    });
    return undefined;
  }
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  problems.push({
    path,
    message: `environment variable "${name}" is ${
      JSON.stringify(text)
    }, expected true or false`,
  });
  return undefined;
}
