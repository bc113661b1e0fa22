/**
 * The permission set of an app worker, built from the service config.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";

/**
 * Extra permissions for an app's workers (config key `permissions`). Paths
 * are relative to the cbdir. `true` grants the whole category; a list
 * grants only its entries.
 *
 * **Security:** everything here widens what app code may do; by default an
 * app may only read its own folder.
 */
export interface AppPermissions {
  /** Extra readable paths. */
  read?: string[];
  /** Writable paths. */
  write?: string[];
  /** Reachable hosts (`"host"`, `"host:port"`), or `true` for all. */
  net?: string[] | boolean;
  /** Readable environment variables, or `true` for all. */
  env?: string[] | boolean;
  /** Runnable programs, or `true` for all. */
  run?: string[] | boolean;
  /** Loadable native libraries (paths), or `true` for all. */
  ffi?: string[] | boolean;
  /** System info APIs (`"hostname"`, `"osRelease"` …), or `true` for all. */
  sys?: string[] | boolean;
}

/** Options for {@link buildWorkerPermissions}. */
export interface BuildPermissionsOptions {
  /** Absolute node directory; relative paths are resolved against it. */
  cbdir: string;
  /** The folder holding the app module; readable by default. */
  appDir?: string | undefined;
  /** What the config grants on top. */
  permissions?: AppPermissions | undefined;
}

/**
 * Builds `WorkerOptions.deno.permissions`: read access to the app's own
 * folder and the configured paths, and nothing else unless the config
 * grants it. Never `"inherit"`.
 *
 * @param options Node directory, app folder and configured grants.
 * @returns A permission object for `new Worker(…, { deno: { permissions } })`.
 *
 * @example Default permissions
 * ```ts
 * import { buildWorkerPermissions } from "./permissions.ts";
 * const p = buildWorkerPermissions({ cbdir: "/srv/.crossbar", appDir: "/srv" });
 * if (p.net !== false || JSON.stringify(p.read) !== '["/srv"]') throw new Error();
 * ```
 */
export function buildWorkerPermissions(
  options: BuildPermissionsOptions,
): Deno.PermissionOptionsObject {
  const granted = options.permissions ?? {};
  const toPath = (p: string) => isAbsolute(p) ? p : resolve(options.cbdir, p);
  const read = [
    ...(options.appDir !== undefined ? [options.appDir] : []),
    ...(granted.read ?? []).map(toPath),
  ];
  const paths = (v: string[] | boolean | undefined) =>
    Array.isArray(v) ? v.map(toPath) : v ?? false;
  const names = (v: string[] | boolean | undefined) =>
    Array.isArray(v) ? [...v] : v ?? false;
  return {
    read: read.length > 0 ? read : false,
    write: granted.write !== undefined && granted.write.length > 0
      ? granted.write.map(toPath)
      : false,
    net: names(granted.net),
    env: names(granted.env),
    run: names(granted.run),
    ffi: paths(granted.ffi),
    sys: names(granted.sys) as NonNullable<Deno.PermissionOptionsObject["sys"]>,
    import: false,
  };
}
