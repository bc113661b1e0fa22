/**
 * The user's project as `deno run` would see it: the nearest `deno.json` or
 * `deno.jsonc` above the node directory, and the import map the node's
 * process runs with — the project's own imports and scopes, plus
 * `crossbar/app` for every hosted app, plus the node's own dependencies in
 * a scope that covers only the node's code, so they never leak into apps.
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { toFileUrl } from "./_file_url.ts";
import { parseJsonc } from "../jsonc/parse.ts";

/** Raised when the project's config or import map cannot be read. */
export class ProjectConfigError extends Error {
  /** Creates the error; `cause` is the underlying failure. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProjectConfigError";
  }
}

/** An import map (the WICG format Deno reads). */
export interface ImportMap {
  /** Bare and URL-prefix specifiers and their addresses. */
  readonly imports: Record<string, string>;
  /** Per referrer prefix, more mappings. */
  readonly scopes: Record<string, Record<string, string>>;
}

/**
 * Finds the nearest `deno.json` or `deno.jsonc` in `start` or a folder
 * above it.
 *
 * @param start An absolute folder (the node directory).
 * @returns The config file's absolute path, or `undefined` when none exists.
 */
export async function findProjectConfig(
  start: string,
): Promise<string | undefined> {
  let dir = resolve(start);
  while (true) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const candidate = join(dir, name);
      if (await isFile(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Reads the import map a project's config defines: its `imports` and
 * `scopes`, or the file its `importMap` names. Relative addresses are made
 * absolute, so the map can be passed on as a `data:` URL.
 *
 * @param configPath The project's `deno.json(c)`.
 * @returns The project's import map (empty when it has none).
 * @throws {ProjectConfigError} When a file cannot be read or parsed.
 */
export async function readProjectImportMap(
  configPath: string,
): Promise<ImportMap> {
  const config = await readJsonc(configPath);
  let source = config;
  let base = toFileUrl(configPath);
  if (typeof config.importMap === "string") {
    const mapUrl = new URL(config.importMap, base);
    if (mapUrl.protocol !== "file:") {
      throw new ProjectConfigError(
        `Cannot use "importMap": "${config.importMap}" in "${configPath}": only local import maps are supported; move its entries into "imports"`,
      );
    }
    source = await readJsonc(fileURLToPath(mapUrl));
    base = mapUrl.href;
  }
  return {
    imports: absolute(record(source.imports, "imports", configPath), base),
    scopes: Object.fromEntries(
      Object.entries(record(source.scopes, "scopes", configPath)).map((
        [scope, map],
      ) => [
        resolveAddress(scope, base),
        absolute(record(map, `scopes["${scope}"]`, configPath), base),
      ]),
    ),
  };
}

/** What {@link nodeImportMap} combines. */
export interface NodeImportMapParts {
  /** The project's map ({@link readProjectImportMap}), if there is a project. */
  readonly project?: ImportMap | undefined;
  /** The node's root folder URL, ending in `/`. */
  readonly nodeRoot: string;
  /** The node's own `imports` (its deno.json), addresses relative to `nodeRoot`. */
  readonly nodeImports: Readonly<Record<string, string>>;
}

/**
 * The import map the node's process runs with: the project's, plus
 * `crossbar/app` (the node's `lib/app/mod.ts`) for every module, plus the
 * node's own dependencies scoped to the node's folder.
 *
 * @param parts Project map, node root and the node's imports.
 * @returns The combined map.
 */
export function nodeImportMap(parts: NodeImportMapParts): ImportMap {
  const own = absolute(
    Object.fromEntries(
      Object.entries(parts.nodeImports).filter(([name]) =>
        name !== "crossbar/app"
      ),
    ),
    parts.nodeRoot,
  );
  return {
    imports: {
      ...parts.project?.imports,
      "crossbar/app": new URL("lib/app/mod.ts", parts.nodeRoot).href,
    },
    scopes: { ...parts.project?.scopes, [parts.nodeRoot]: own },
  };
}

/**
 * An import map as a `data:` URL for `--import-map`.
 *
 * @param map The map.
 * @returns The URL.
 */
export function importMapUrl(map: ImportMap): string {
  return "data:application/json," + encodeURIComponent(JSON.stringify(map));
}

async function readJsonc(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ProjectConfigError(
      `Cannot read "${path}": ${(error as Error).message}`,
      { cause: error },
    );
  }
  let value: unknown;
  try {
    value = parseJsonc(text);
  } catch (error) {
    throw new ProjectConfigError(
      `Cannot parse "${path}": ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProjectConfigError(`"${path}" does not hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

function record(
  value: unknown,
  what: string,
  path: string,
): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProjectConfigError(`"${what}" in "${path}" must be an object`);
  }
  return value as Record<string, unknown>;
}

function absolute(
  map: Record<string, unknown>,
  base: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (typeof value === "string") out[key] = resolveAddress(value, base);
  }
  return out;
}

function resolveAddress(address: string, base: string): string {
  return /^\.{0,2}\//.test(address) ? new URL(address, base).href : address;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
