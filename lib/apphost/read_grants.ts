/**
 * The read grant of an app, computed from real paths: the app's folder and
 * the configured `read` paths, minus the node's own directory and the
 * files the config names as keys or certificates, and refused when a
 * symbolic link inside it leads outside it.
 *
 * Deno checks a path as written, not where a link leads, and Deno 2.9's
 * worker permissions have no deny list. So the grant is a list of allowed
 * paths that leaves the protected ones out (a folder that holds one is
 * granted entry by entry), and every link inside it is checked once, at
 * start: a link in the app's folder whose target is outside the grant (or a
 * link anywhere in the grant that leads into a protected path) stops the
 * app from starting, with an error naming the link. When the app lives
 * inside the node directory, the node's own files there (config, keys,
 * certificates, pid file) are what stays out.
 *
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";

/** A read grant that cannot be made safe. */
export class ReadGrantError extends Error {
  override name = "ReadGrantError";
}

/** Options for {@link computeReadGrant}. */
export interface ReadGrantOptions {
  /** Absolute node directory. */
  cbdir: string;
  /** The app's folder (readable by default). */
  appDir: string | undefined;
  /** The configured extra read paths (relative to `cbdir`). */
  read: readonly string[];
  /** Extra protected files (keys, certificates) besides the node directory. */
  protect?: readonly string[];
  /** Most directory entries scanned for links. @default {50_000} */
  scanLimit?: number;
}

/** Most entries of one folder granted one by one. */
const SPLIT_MAX = 10_000;

function real(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function inside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith("/") ? dir : `${dir}/`);
}

/**
 * Finds the files a node config names as keys, certificates or DH
 * parameters (TLS endpoints), so that no app can read them.
 *
 * @param cbdir The node directory.
 * @returns Absolute paths.
 */
export function configSecretPaths(cbdir: string): string[] {
  const out: string[] = [];
  for (const name of ["config.json", "config.yaml", "config.yml"]) {
    let text: string;
    try {
      text = Deno.readTextFileSync(join(cbdir, name));
    } catch {
      continue;
    }
    const re =
      /["']?(key|certificate|ca_certificates|chain_certificates|dhparam)["']?\s*:\s*(\[[^\]]*\]|"[^"]*"|'[^']*')/g;
    for (const match of text.matchAll(re)) {
      for (const s of match[2]!.matchAll(/"([^"]*)"|'([^']*)'/g)) {
        const p = s[1] ?? s[2] ?? "";
        if (p !== "" && !p.includes("\n")) {
          out.push(isAbsolute(p) ? p : resolve(cbdir, p));
        }
      }
    }
  }
  return out;
}

/**
 * Computes the read grant of an app.
 *
 * @param options Node directory, app folder, configured paths.
 * @returns Absolute real paths to grant.
 * @throws {ReadGrantError} If a symbolic link in the grant leads outside it.
 *
 * @example The node directory stays out of the app's folder
 * ```ts
 * import { computeReadGrant } from "./read_grants.ts";
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/.crossbar`);
 * Deno.writeTextFileSync(`${dir}/app.ts`, "");
 * const grant = computeReadGrant({
 *   cbdir: `${dir}/.crossbar`, appDir: dir, read: [],
 * });
 * if (grant.some((p) => p.endsWith(".crossbar"))) throw new Error("leak");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function computeReadGrant(options: ReadGrantOptions): string[] {
  const toPath = (p: string) => isAbsolute(p) ? p : resolve(options.cbdir, p);
  const explicit = options.read.map((p) => real(toPath(p)));
  // Paths that do not exist need no protection (nothing there to read).
  const cbdir = real(options.cbdir);
  const appDir = options.appDir === undefined
    ? undefined
    : real(options.appDir);
  // An app kept inside the node directory keeps its folder; then the node's
  // own files there are what stays out.
  const node = appDir !== undefined && inside(appDir, cbdir)
    ? nodeFiles(cbdir)
    : [cbdir];
  const protect = [...node, ...(options.protect ?? [])]
    .filter(exists)
    .map((p) => real(p));
  const own: string[] = [];
  if (appDir !== undefined) split(appDir, protect, own);
  const named: string[] = [];
  for (const path of explicit) {
    // Naming a protected path (or something inside it) grants it; naming
    // a folder around it does not.
    if (protect.some((p) => inside(path, p))) named.push(path);
    else split(path, protect, named);
  }
  const unique = [...new Set([...own, ...named])];
  const limit = { left: options.scanLimit ?? 50_000 };
  const granted = (t: string) => unique.some((g) => inside(t, g));
  // A link in the app's folder must stay inside the grant; one in a folder
  // the config names is trusted unless it leads to a protected path.
  scanLinks(own, granted, limit);
  scanLinks(
    named,
    (t) => granted(t) || !protect.some((p) => inside(t, p)),
    limit,
  );
  return unique;
}

/** Config, key, certificate and pid files directly in the node directory. */
const NODE_FILE =
  /^(config\.(json|ya?ml)|key\.(priv|pub)|node\.(key|pid)|.*\.(key|pem|crt|cert|priv|p12|pfx))$/i;

function nodeFiles(cbdir: string): string[] {
  try {
    return [...Deno.readDirSync(cbdir)]
      .filter((e) => NODE_FILE.test(e.name))
      .map((e) => join(cbdir, e.name));
  } catch {
    return [];
  }
}

/** Adds `path` minus everything in `protect` to `out`. */
function split(path: string, protect: string[], out: string[]): void {
  if (protect.some((p) => inside(path, p))) return;
  const within = protect.filter((p) => inside(p, path) && p !== path);
  if (within.length === 0) {
    out.push(path);
    return;
  }
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(path)];
  } catch {
    return;
  }
  if (entries.length > SPLIT_MAX) {
    throw new ReadGrantError(
      `Cannot keep "${
        within[0]
      }" out of the app's read access: "${path}" has more than ${SPLIT_MAX} entries`,
    );
  }
  for (const entry of entries) split(join(path, entry.name), protect, out);
}

function scanLinks(
  roots: string[],
  allowed: (target: string) => boolean,
  limit: { left: number },
): void {
  const check = (path: string): void => {
    let target: string;
    try {
      target = Deno.realPathSync(path);
    } catch {
      return; // dangling
    }
    if (!allowed(target)) {
      throw new ReadGrantError(
        `The symbolic link "${path}" leads to "${target}", outside what the app may read; remove it, or grant its target in the path's "permissions": {"read": [...]}`,
      );
    }
  };
  // A folder's entries carry their type, so only the roots need an lstat
  // (the walk over an app folder with node_modules stays cheap).
  const visit = (path: string, depth: number): void => {
    if (--limit.left < 0 || depth > 64) return;
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(path)];
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = join(path, entry.name);
      if (entry.isSymlink) {
        --limit.left;
        check(child);
      } else if (entry.isDirectory) visit(child, depth + 1);
      else --limit.left;
    }
  };
  for (const path of roots) {
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(path);
    } catch {
      continue;
    }
    if (info.isSymlink) check(path);
    else if (info.isDirectory) visit(path, 0);
  }
}
