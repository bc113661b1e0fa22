/**
 * Python on the node: `wsgi` paths whose `module` is a `.py` file (a Flask,
 * Django or any WSGI app, unchanged) served by Debian's gunicorn in a
 * bubblewrap sandbox, one unix socket per path, behind the node's own
 * request handling.
 *
 * ```ts ignore
 * import { createPythonWsgiService, findPythonApp } from "./lib/pyhost/mod.ts";
 * if (await findPythonApp("myapp", { cbdir, pythonpath: [".."] })) {
 *   const service = await createPythonWsgiService(
 *     { path: "/", module: "myapp", object: "app", cbdir, pythonpath: [".."] },
 *     { logger },
 *   );
 * }
 * ```
 *
 * @module
 */
export {
  checkPythonApp,
  createPythonWsgiService,
  findPythonApp,
  type PythonWsgiOptions,
} from "./python_wsgi.ts";
export type { PythonWsgiService } from "./python_wsgi_service.ts";
export { type PythonModule, resolvePythonModule } from "./resolve_python.ts";
export {
  BWRAP,
  runInSandbox,
  sandboxArgs,
  sandboxCommand,
  type SandboxFailure,
  type SandboxOptions,
} from "./sandbox.ts";
export { nodeSecrets } from "./_node_secrets.ts";
export {
  GUNICORN,
  HELPER_DIR,
  PYTHON,
  PythonStartError,
} from "./gunicorn_process.ts";
