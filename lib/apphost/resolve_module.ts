/**
 * Finds the file of a wsgi app module the way Crossbar finds a Python
 * module: by name, along `pythonpath` (relative to the cbdir), then in the
 * cbdir itself.
 *
 * @module
 */
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { AppLoadError } from "./errors.ts";

/** File endings tried for a module name, in order. */
export const MODULE_EXTENSIONS = [".ts", ".tsx", ".js", ".mjs"] as const;
/** Folder entry files tried for a module name, in order. */
export const FOLDER_ENTRIES = ["mod.ts", "mod.js"] as const;

const SPECIFIER_REGEXP = /^(?:file|npm|jsr|https?|data):/;
const MODULE_NAME_REGEXP = /^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*$/;

/** Options for {@link resolveModule}. */
export interface ResolveModuleOptions {
  /** Absolute node directory (the `.crossbar` folder). */
  cbdir: string;
  /** Search folders, relative to `cbdir` (like Crossbar's `pythonpath`). */
  pythonpath?: string[] | undefined;
}

/** Where a module was found. */
export interface ResolvedModule {
  /** What to pass to `import()`. */
  specifier: string;
  /** The local file, or `undefined` for a remote or npm specifier. */
  path: string | undefined;
}

/**
 * Resolves `module`:
 * - `file:`, `npm:`, `jsr:`, `http(s):`, `data:` specifiers are used as is;
 * - `./x.ts`, `../apps/x.ts` or an absolute path: that file (relative to
 *   `cbdir`);
 * - a name such as `myapp` or dotted `pkg.app` (→ `pkg/app`): in each
 *   `pythonpath` folder, then `cbdir`, try `<name>.ts`, `.tsx`, `.js`,
 *   `.mjs`, then `<name>/mod.ts`, `<name>/mod.js`.
 *
 * @param module The configured module.
 * @param options Node directory and search folders.
 * @returns The specifier to import and the local path.
 * @throws {AppLoadError} If no file matches; the message lists every
 * candidate searched.
 *
 * @example Resolve a module next to the node directory
 * ```ts ignore
 * const found = await resolveModule("myapp", {
 *   cbdir: "/srv/project/.crossbar",
 *   pythonpath: [".."],
 * });
 * // found.path === "/srv/project/myapp.ts"
 * ```
 */
export async function resolveModule(
  module: string,
  options: ResolveModuleOptions,
): Promise<ResolvedModule> {
  if (SPECIFIER_REGEXP.test(module)) {
    const path = module.startsWith("file:") ? fileURLToPath(module) : undefined;
    return { specifier: module, path };
  }
  let candidates: string[];
  if (
    module.startsWith("./") || module.startsWith("../") || isAbsolute(module)
  ) {
    candidates = [resolve(options.cbdir, module)];
  } else if (MODULE_NAME_REGEXP.test(module)) {
    candidates = nameCandidates(module, options);
  } else {
    throw new AppLoadError(
      `Cannot resolve WSGI app module "${module}": not a module name, relative path or specifier`,
      { module },
    );
  }
  for (const path of candidates) {
    if (await isFile(path)) {
      return { specifier: pathToFileURL(path).href, path };
    }
  }
  const list = candidates.map((c) => `"${c}"`).join(", ");
  throw new AppLoadError(
    `Cannot find WSGI app module "${module}": searched ${list}`,
    { module, candidates },
  );
}

/** The folder of a resolved module (its default read permission). */
export function moduleDir(resolved: ResolvedModule): string | undefined {
  return resolved.path === undefined ? undefined : dirname(resolved.path);
}

function nameCandidates(
  module: string,
  options: ResolveModuleOptions,
): string[] {
  const relative = module.split(".").join("/");
  const roots = [
    ...(options.pythonpath ?? []).map((p) => resolve(options.cbdir, p)),
    resolve(options.cbdir),
  ];
  const unique = [...new Set(roots)];
  return unique.flatMap((root) => [
    ...MODULE_EXTENSIONS.map((ext) => join(root, relative + ext)),
    ...FOLDER_ENTRIES.map((entry) => join(root, relative, entry)),
  ]);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
