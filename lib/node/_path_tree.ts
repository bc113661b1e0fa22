/**
 * Flattens a web transport's `paths` (with nested `"type": "path"` services)
 * into prefixes for the path table.
 */
import type { PathServiceConfig } from "../config/mod.ts";
import { normalizePathKey } from "../web/path_table.ts";

/** A service config and the prefix it is mounted at. */
export interface MountedService {
  /** `""` for the root, else `/a` or `/a/b`. */
  readonly prefix: string;
  /** The service's config (never a nested `path`). */
  readonly config: PathServiceConfig;
}

/**
 * Lists every service of a path tree in Crossbar's start order: the root
 * first, then the other keys sorted. A nested `path` service contributes its
 * own entries below its prefix; without a `"/"` of its own, its prefix
 * answers 404 (a `none` service), as in Crossbar.
 *
 * @param paths The `paths` object of a web transport or nested path service.
 * @param base The prefix of the enclosing path service.
 * @returns The mounted services.
 */
export function flattenPaths(
  paths: Readonly<Record<string, PathServiceConfig>>,
  base = "",
): MountedService[] {
  const out: MountedService[] = [];
  const keys = Object.keys(paths).sort((a, b) =>
    a === "/" ? -1 : b === "/" ? 1 : a < b ? -1 : a > b ? 1 : 0
  );
  for (const key of keys) {
    const config = paths[key]!;
    const prefix = base + normalizePathKey(key);
    if (config.type === "path") {
      if (!("/" in config.paths)) {
        out.push({ prefix, config: { type: "none" } as PathServiceConfig });
      }
      out.push(...flattenPaths(config.paths, prefix));
    } else {
      out.push({ prefix, config });
    }
  }
  return out;
}
