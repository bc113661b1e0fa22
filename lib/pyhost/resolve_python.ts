/**
 * Finds the Python module of a `wsgi` path the way Python would import it:
 * `myapp` is `myapp.py` (or `myapp/__init__.py`) in one of the router's
 * `pythonpath` folders (relative to the node directory), then in the node
 * directory; dotted names (`pkg.app`) are packages. A relative or absolute
 * path to a `.py` file is used as it is.
 *
 * @module
 */
import { basename, dirname, isAbsolute, join, resolve } from "node:path";

const MODULE_NAME_REGEXP = /^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*$/;

/** Options for {@link resolvePythonModule}. */
export interface ResolvePythonOptions {
  /** Absolute node directory. */
  readonly cbdir: string;
  /** Search folders, relative to `cbdir`. */
  readonly pythonpath?: readonly string[] | undefined;
}

/** A Python module found on disk. */
export interface PythonModule {
  /** The importable (dotted) module name. */
  readonly name: string;
  /** The file that defines it (`.py` or a package's `__init__.py`). */
  readonly path: string;
  /** The `sys.path` folder it was found in (mounted read-only). */
  readonly root: string;
}

/**
 * Looks for `module` as Python source.
 *
 * @param module The configured module (`myapp`, `pkg.app`, `./apps/x.py`).
 * @param options Node directory and search folders.
 * @returns The module, or `undefined` when no Python file matches.
 *
 * @example Find the seed's Flask app
 * ```ts ignore
 * const found = await resolvePythonModule("myapp", { cbdir, pythonpath: [".."] });
 * // found?.path === "/srv/project/myapp.py"
 * ```
 */
export async function resolvePythonModule(
  module: string,
  options: ResolvePythonOptions,
): Promise<PythonModule | undefined> {
  if (module.endsWith(".py") && !MODULE_NAME_REGEXP.test(module)) {
    const path = isAbsolute(module) ? module : resolve(options.cbdir, module);
    if (!await isFile(path)) return undefined;
    return { name: basename(path, ".py"), path, root: dirname(path) };
  }
  if (!MODULE_NAME_REGEXP.test(module)) return undefined;
  for (const root of pythonRoots(options)) {
    for (const path of pythonCandidates(root, module)) {
      if (await isFile(path)) return { name: module, path, root };
    }
  }
  return undefined;
}

/**
 * The `sys.path` folders of a router worker: its `pythonpath` (relative to
 * the node directory), then the node directory, without repeats.
 *
 * @param options Node directory and search folders.
 * @returns Absolute folders, in search order.
 */
export function pythonRoots(options: ResolvePythonOptions): string[] {
  return [
    ...new Set([
      ...(options.pythonpath ?? []).map((p) => resolve(options.cbdir, p)),
      resolve(options.cbdir),
    ]),
  ];
}

/**
 * The files that would define the dotted module `name` under `root`.
 *
 * @param root A `sys.path` folder.
 * @param name A dotted module name.
 * @returns `<root>/a/b.py` and `<root>/a/b/__init__.py`.
 */
export function pythonCandidates(root: string, name: string): string[] {
  const relative = name.split(".").join("/");
  return [join(root, relative + ".py"), join(root, relative, "__init__.py")];
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
