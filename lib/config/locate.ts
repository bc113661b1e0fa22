/**
 * Positions of config values for problems found after validation (a
 * component module that is missing, an app that cannot load).
 *
 * @module
 */
import { parseJsonc } from "./_source_map.ts";

/**
 * The `file:line:column` of the value at `path` in a JSONC config file.
 *
 * @param file The config file (absolute), or `""` for a config value.
 * @param path The JSON path, e.g. `["workers", 0, "components", 1, "classname"]`.
 * @returns `file:line:column`, or `file` alone when the file cannot be read.
 *
 * @example Point at a component's classname
 * ```ts ignore
 * const where = await locateInConfig("/srv/.crossbar/config.json", ["workers", 0]);
 * // "/srv/.crossbar/config.json:3:5"
 * ```
 */
export async function locateInConfig(
  file: string,
  path: readonly (string | number)[],
): Promise<string> {
  if (file === "") return "config";
  try {
    const parsed = parseJsonc(await Deno.readTextFile(file), file);
    if (Array.isArray(parsed)) return file;
    const { line, column } = parsed.locate(path);
    return `${file}:${line}:${column}`;
  } catch {
    return file;
  }
}
