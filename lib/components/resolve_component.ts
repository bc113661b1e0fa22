/**
 * Finds a component's code from its `classname`, the way Crossbar imports
 * `package.module.Class`: everything before the last dot is the module,
 * looked up along the worker's `pythonpath` folders, then the node
 * directory (`backend.AppSession` → export `AppSession` of `backend.ts`).
 * A TypeScript/JavaScript module wins; otherwise a Python module of that
 * name (`backend.py`) makes it a Python component.
 *
 * @module
 */
import { AppLoadError, resolveModule } from "../apphost/mod.ts";
import { type PythonModule, resolvePythonModule } from "../pyhost/mod.ts";
import { pythonCandidates, pythonRoots } from "../pyhost/resolve_python.ts";

/** Where a component's code is. */
export type ResolvedComponent =
  | {
    readonly kind: "typescript";
    readonly specifier: string;
    readonly path: string | undefined;
    readonly exportName: string;
  }
  | {
    readonly kind: "python";
    readonly module: PythonModule;
    readonly className: string;
  };

/** A component's module is missing or the classname is malformed. */
export class ComponentNotFoundError extends Error {
  /** The configured classname. */
  readonly classname: string;
  /** Every file that was tried. */
  readonly candidates: string[];

  /**
   * @param message What is missing.
   * @param classname The configured classname.
   * @param candidates The files tried.
   */
  constructor(message: string, classname: string, candidates: string[]) {
    super(message);
    this.name = "ComponentNotFoundError";
    this.classname = classname;
    this.candidates = candidates;
  }
}

/**
 * Resolves `classname`.
 *
 * @param classname `module.Export` (dotted module names are folders).
 * @param options Node directory and the worker's `pythonpath`.
 * @returns The TypeScript module and export, or the Python module.
 * @throws {ComponentNotFoundError} When no module file matches.
 */
export async function resolveComponent(
  classname: string,
  options: { cbdir: string; pythonpath: readonly string[] },
): Promise<ResolvedComponent> {
  const dot = classname.lastIndexOf(".");
  if (dot <= 0 || dot === classname.length - 1) {
    throw new ComponentNotFoundError(
      `Invalid component classname "${classname}": expected "module.Export" (e.g. "backend.AppSession")`,
      classname,
      [],
    );
  }
  const moduleName = classname.slice(0, dot);
  const exportName = classname.slice(dot + 1);
  let tsCandidates: string[] = [];
  try {
    const found = await resolveModule(moduleName, {
      cbdir: options.cbdir,
      pythonpath: [...options.pythonpath],
    });
    return {
      kind: "typescript",
      specifier: found.specifier,
      path: found.path,
      exportName,
    };
  } catch (error) {
    if (!(error instanceof AppLoadError)) throw error;
    tsCandidates = error.candidates;
  }
  const python = await resolvePythonModule(moduleName, options);
  if (python !== undefined) {
    return { kind: "python", module: python, className: exportName };
  }
  const candidates = [
    ...tsCandidates,
    ...pythonRoots(options).flatMap((root) =>
      pythonCandidates(root, moduleName)
    ),
  ];
  throw new ComponentNotFoundError(
    `Cannot find the module "${moduleName}" of component "${classname}": searched ${
      candidates.map((c) => `"${c}"`).join(", ")
    }`,
    classname,
    candidates,
  );
}
