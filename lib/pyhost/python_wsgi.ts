/**
 * Builds the service for a `wsgi` path whose `module` is Python: resolves
 * the module, maps the path's config onto gunicorn and the sandbox, starts
 * the server and waits until it serves.
 *
 * Config mapping:
 * - `workers: N` → N gunicorn worker processes of one thread each;
 *   otherwise `minthreads` (at least 1) processes, each with enough threads
 *   that the pool reaches `maxthreads` (Crossbar's thread pool).
 * - `timeout` → 504 from the node, and the worker that ran the request is
 *   replaced; `max_queue`, `max_body_size` → 503 and 413 from the node.
 * - `permissions` → the sandbox (`sandbox.ts`): `read`/`write` mounts,
 *   `net` (any value but `false` shares the network), `env` (names copied
 *   from the node's environment, or `true` for all of it).
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { AppLoadError } from "../apphost/mod.ts";
import { resolveModule } from "../apphost/mod.ts";
import type { WsgiServiceConfig } from "../config/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  GunicornProcess,
  HELPER_DIR,
  PYTHON,
  PythonStartError,
} from "./gunicorn_process.ts";
import { PythonWsgiService } from "./python_wsgi_service.ts";
import { type PythonModule, resolvePythonModule } from "./resolve_python.ts";
import { runInSandbox, type SandboxOptions } from "./sandbox.ts";
import { nodeSecrets } from "./_node_secrets.ts";

/**
 * The config of a Python wsgi path: the keys of a `"type": "wsgi"` path it
 * uses, as the config schema settles them (defaults applied), plus what the
 * node knows about the path.
 */
export type PythonWsgiOptions =
  & Pick<
    WsgiServiceConfig,
    | "module"
    | "object"
    | "workers"
    | "minthreads"
    | "maxthreads"
    | "timeout"
    | "max_queue"
    | "max_body_size"
    | "permissions"
  >
  & {
    /** Mount path, for messages (`"/"`, `"/app"`). */
    readonly path: string;
    /** Absolute node directory. */
    readonly cbdir: string;
    /** The router's `pythonpath`, relative to `cbdir`. */
    readonly pythonpath?: readonly string[] | undefined;
  };

/**
 * Finds the Python module of a wsgi path, unless a TypeScript or
 * JavaScript module of that name exists (those win, as before).
 *
 * @param module The configured module.
 * @param options Node directory and `pythonpath`.
 * @returns The Python module, or `undefined` for a TypeScript app.
 */
export async function findPythonApp(
  module: string,
  options: { cbdir: string; pythonpath?: readonly string[] | undefined },
): Promise<PythonModule | undefined> {
  try {
    await resolveModule(module, {
      cbdir: options.cbdir,
      pythonpath: [...(options.pythonpath ?? [])],
    });
    return undefined;
  } catch (error) {
    if (!(error instanceof AppLoadError)) throw error;
  }
  return await resolvePythonModule(module, options);
}

/**
 * Starts the gunicorn server of a Python wsgi path.
 *
 * @param options The path's config.
 * @param env Where the server logs.
 * @returns The service, serving.
 * @throws {AppLoadError} When the module is missing or the app cannot start
 * (the message carries the end of the Python traceback).
 */
export async function createPythonWsgiService(
  options: PythonWsgiOptions,
  env: { logger: Logger },
): Promise<PythonWsgiService> {
  const found = await requireModule(options);
  const { workers, threads } = poolShape(options);
  const socketDir = await Deno.makeTempDir({ prefix: "crossbar-py-" });
  const socket = `${socketDir}/app.sock`;
  const cleanup = () => Deno.remove(socketDir, { recursive: true });
  const process = new GunicornProcess({
    socket,
    workers,
    threads,
    sandbox: sandboxFor(found, options, socketDir),
    logger: env.logger,
  });
  try {
    await process.start();
  } catch (error) {
    await process.close();
    await cleanup().catch(() => {});
    throw loadError(options, found, error);
  }
  env.logger.info(
    `Python app ${found.name}:${options.object} (${found.path}) on gunicorn, ${workers} process(es) × ${threads} thread(s), sandboxed`,
  );
  return new PythonWsgiService({
    prefix: options.path === "/" ? "" : options.path,
    process,
    socket,
    capacity: workers * threads,
    maxQueue: options.max_queue,
    maxBodySize: options.max_body_size,
    timeout: options.timeout,
    logger: env.logger,
    cleanup,
  });
}

/**
 * Imports a Python wsgi app in the sandbox, the way `start` would, and
 * checks that its object is callable (for `check`).
 *
 * @param options The path's config.
 * @throws {AppLoadError} When it is missing or fails to import.
 */
export async function checkPythonApp(
  options: PythonWsgiOptions,
): Promise<void> {
  const found = await requireModule(options);
  const socketDir = await Deno.makeTempDir({ prefix: "crossbar-py-" });
  try {
    const sandbox = sandboxFor(found, options, socketDir);
    const failed = await runInSandbox(
      [PYTHON, "-c", "import crossbar_pyhost_wsgi"],
      sandbox,
    );
    if (failed) {
      throw loadError(
        options,
        found,
        new PythonStartError(
          `the Python app exited with code ${failed.code}`,
          failed.stderr.slice(-20),
        ),
      );
    }
  } finally {
    await Deno.remove(socketDir, { recursive: true }).catch(() => {});
  }
}

async function requireModule(
  options: PythonWsgiOptions,
): Promise<PythonModule> {
  const found = await resolvePythonModule(options.module, options);
  if (found === undefined) {
    throw new AppLoadError(
      `Cannot find Python WSGI app module "${options.module}"`,
      { module: options.module },
    );
  }
  return found;
}

function poolShape(options: PythonWsgiOptions): {
  workers: number;
  threads: number;
} {
  if (options.workers !== undefined) {
    return { workers: options.workers, threads: 1 };
  }
  // The schema settles `minthreads` (at least 1) and `maxthreads`.
  const workers = options.minthreads;
  const total = Math.max(options.maxthreads, workers);
  return { workers, threads: Math.ceil(total / workers) };
}

function sandboxFor(
  found: PythonModule,
  options: PythonWsgiOptions,
  socketDir: string,
): SandboxOptions {
  const granted = options.permissions;
  const toPath = (p: string) => isAbsolute(p) ? p : resolve(options.cbdir, p);
  const readOnly = [found.root, HELPER_DIR];
  const hidden = nodeSecrets(options.cbdir, [found.root]);
  const env: Record<string, string> = {};
  if (granted.env === true) Object.assign(env, Deno.env.toObject());
  else if (Array.isArray(granted.env)) {
    for (const name of granted.env) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
  }
  Object.assign(env, {
    PATH: "/usr/bin:/bin",
    LANG: "C.UTF-8",
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONPATH: `${HELPER_DIR}:${found.root}`,
    CROSSBAR_WSGI_MODULE: found.name,
    CROSSBAR_WSGI_OBJECT: options.object,
    CROSSBAR_WSGI_TIMEOUT: String(options.timeout),
  });
  return {
    readOnly: [...new Set(readOnly)],
    hideDirs: hidden.dirs,
    hideFiles: hidden.files,
    grants: granted.read.map(toPath),
    writable: [socketDir, ...granted.write.map(toPath)],
    env,
    network: granted.net !== undefined && granted.net !== false,
    cwd: found.root,
  };
}

function loadError(
  options: PythonWsgiOptions,
  found: PythonModule,
  error: unknown,
): AppLoadError {
  const detail = error instanceof PythonStartError
    ? `${error.message}${
      error.output.length > 0 ? ":\n  " + error.output.join("\n  ") : ""
    }`
    : error instanceof Error
    ? error.message
    : String(error);
  return new AppLoadError(
    `Cannot load Python WSGI app "${options.module}:${options.object}" (${found.path}): ${detail}`,
    { module: options.module, path: found.path, cause: error },
  );
}
