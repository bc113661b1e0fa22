/**
 * The permission set of an app worker, built from the service config.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { computeReadGrant, configSecretPaths } from "./read_grants.ts";

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
 * folder and the configured paths (never the node directory or the key and
 * certificate files of the config, unless a configured path names them),
 * and nothing else unless the config grants it. Never `"inherit"`.
 *
 * @param options Node directory, app folder and configured grants.
 * @returns A permission object for `new Worker(…, { deno: { permissions } })`.
 * @throws {ReadGrantError} If a symbolic link in the grant leads outside it.
 *
 * @example Default permissions
 * ```ts
 * import { buildWorkerPermissions } from "./permissions.ts";
 * const dir = Deno.makeTempDirSync();
 * const p = buildWorkerPermissions({ cbdir: `${dir}/.crossbar`, appDir: dir });
 * if (p.net !== false || JSON.stringify(p.read) !== JSON.stringify([dir])) {
 *   throw new Error();
 * }
 * Deno.removeSync(dir);
 * ```
 */
export function buildWorkerPermissions(
  options: BuildPermissionsOptions,
): Deno.PermissionOptionsObject {
  const granted = options.permissions ?? {};
  const toPath = (p: string) => isAbsolute(p) ? p : resolve(options.cbdir, p);
  const read = computeReadGrant({
    cbdir: options.cbdir,
    appDir: options.appDir,
    read: granted.read ?? [],
    protect: configSecretPaths(options.cbdir),
  });
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

/** Folders of the modules an app thread loads before the app. */
const LIBRARY_DIRS: string[] = ["./", "../app/", "../wamp/"].map((p) => {
  const url = new URL(p, import.meta.url);
  return url.protocol === "file:"
    ? decodeURIComponent(url.pathname).replace(/\/$/, "")
    : "";
}).filter((p) => p !== "");

function covers(grant: string, path: string): boolean {
  return path === grant ||
    path.startsWith(grant.endsWith("/") ? grant : `${grant}/`);
}

/**
 * Adds read access to the node's own app-thread modules, which the app
 * worker needs to start its app thread; both revoke it before any app code
 * runs. Folders the config grants anyway are left alone.
 *
 * @param permissions The app's permissions.
 * @returns The worker's permissions and the folders to revoke.
 *
 * @example
 * ```ts
 * import { withLibraryRead } from "./permissions.ts";
 * const { revokeRead } = withLibraryRead({ read: ["/srv/app"] });
 * if (revokeRead.length === 0) throw new Error("nothing to revoke");
 * ```
 */
export function withLibraryRead(
  permissions: Deno.PermissionOptionsObject,
): { permissions: Deno.PermissionOptionsObject; revokeRead: string[] } {
  const read = permissions.read;
  if (read === true || read === "inherit") {
    return { permissions, revokeRead: [] };
  }
  const granted = Array.isArray(read)
    ? read.map((p) => (p instanceof URL ? decodeURIComponent(p.pathname) : p))
    : [];
  const extra = LIBRARY_DIRS.filter((d) => !granted.some((g) => covers(g, d)));
  return {
    permissions: { ...permissions, read: [...granted, ...extra] },
    revokeRead: extra,
  };
}
