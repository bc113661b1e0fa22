/**
 * `check` for components: finds each component's module and, for a
 * TypeScript one, loads it in a worker with its permissions and runs its
 * `checkConfig(extra)`.
 *
 * @module
 */
import { dirname } from "node:path";
import { buildWorkerPermissions } from "../apphost/mod.ts";
import type { AppPermissions } from "../apphost/mod.ts";
import type { ComponentInit, ComponentReport } from "./_protocol.ts";
import { resolveComponent } from "./resolve_component.ts";
import type { PythonModule } from "../pyhost/mod.ts";
import { PYTHON, runInSandbox } from "../pyhost/mod.ts";
import { hidden } from "./python_component.ts";

const PYTHON_CHECK =
  "import importlib, sys; getattr(importlib.import_module(sys.argv[1]), sys.argv[2])";

/** One component to check. */
export interface CheckComponentOptions {
  /** The classname (or a function component's `join`). */
  readonly classname: string;
  /** The node directory. */
  readonly cbdir: string;
  /** The worker's `pythonpath`. */
  readonly pythonpath: readonly string[];
  /** The realm (handed to the module as in a real start). */
  readonly realm: string;
  /** The config's `extra`. */
  readonly extra: unknown;
  /** The component's permissions. */
  readonly permissions: AppPermissions;
}

/**
 * Checks one component.
 *
 * @param options The component.
 * @throws {ComponentNotFoundError} When its module is missing.
 * @throws {Error} When it fails to load or its `checkConfig` rejects.
 */
export async function checkComponent(
  options: CheckComponentOptions,
): Promise<void> {
  const resolved = await resolveComponent(options.classname, options);
  if (resolved.kind === "python") {
    return await checkPythonComponent(
      resolved.module,
      resolved.className,
      options.cbdir,
    );
  }
  const worker = new Worker(
    new URL("./component_worker.ts", import.meta.url),
    {
      type: "module",
      name: `check ${options.classname}`,
      deno: {
        permissions: buildWorkerPermissions({
          cbdir: options.cbdir,
          appDir: resolved.path === undefined
            ? undefined
            : dirname(resolved.path),
          permissions: options.permissions,
        }),
      },
    },
  );
  try {
    const report = await new Promise<ComponentReport>((resolve) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        resolve({ t: "failed", phase: "load", message: event.message });
      };
      const init: ComponentInit = {
        t: "init",
        specifier: resolved.specifier,
        exportName: resolved.exportName,
        classname: options.classname,
        config: {
          realm: options.realm,
          extra: options.extra,
          cbdir: options.cbdir,
          id: "check",
        },
        authmethods: [],
        check: true,
      };
      worker.postMessage(init);
    });
    if (report.t === "failed") {
      throw new Error(
        report.phase === "check"
          ? `checkConfig() of "${options.classname}" rejected its extra: ${report.message}`
          : `Cannot load component "${options.classname}": ${report.message}`,
      );
    }
  } finally {
    worker.terminate();
  }
}

/** Imports a Python component's module in the sandbox and finds its class. */
async function checkPythonComponent(
  module: PythonModule,
  className: string,
  cbdir: string,
): Promise<void> {
  const failed = await runInSandbox(
    [PYTHON, "-c", PYTHON_CHECK, module.name, className],
    {
      readOnly: [module.root],
      ...hidden(cbdir, module.root),
      writable: [],
      env: {
        PATH: "/usr/bin:/bin",
        LANG: "C.UTF-8",
        PYTHONDONTWRITEBYTECODE: "1",
        PYTHONPATH: module.root,
      },
      cwd: module.root,
    },
  );
  if (failed) {
    throw new Error(
      `Cannot load Python component "${module.name}.${className}" (${module.path}): ${
        failed.stderr.at(-1) ?? `exit code ${failed.code}`
      }`,
    );
  }
}
