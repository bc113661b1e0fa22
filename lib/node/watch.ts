/**
 * `start --watch`, for development: a change to the config file reloads the
 * node (as SIGHUP does); a change below a wsgi app's folder restarts that
 * path's worker pool only.
 *
 * @module
 */
import { resolve, sep } from "node:path";
import type { Config } from "../config/mod.ts";
import type { Logger } from "../log/logger.ts";
import { moduleDir, resolveModule } from "../apphost/resolve_module.ts";
import { flattenPaths } from "./_path_tree.ts";
import { pathKey } from "./reload.ts";

/** Options for {@link watchNode}. */
export interface WatchOptions {
  /** The config file (absolute). */
  readonly configPath: string;
  /** The node directory (absolute). */
  readonly cbdir: string;
  /** The running config. */
  readonly config: Config;
  /** The config file changed. */
  readonly onConfig: () => void;
  /** Files of these wsgi paths ({@link pathKey} keys) changed. */
  readonly onApps: (keys: Set<string>) => void;
  /** Where it says what it watches. */
  readonly logger: Logger;
}

/** Folders and files never worth a reload. */
const IGNORED =
  /(^|[\\/])(node_modules|\.git)([\\/]|$)|(^|[\\/])(deno\.lock|node\.pid)$/;

/** Quiet time after the last change before acting, in ms. */
const SETTLE_MS = 100;

/**
 * Watches the config file and every local wsgi app's folder.
 *
 * @param options What to watch and whom to tell.
 * @returns A handle that stops watching.
 */
export async function watchNode(
  options: WatchOptions,
): Promise<{ close(): void }> {
  const apps = await appFolders(options.config, options.cbdir);
  const folders = new Set([options.cbdir, ...apps.map((a) => a.dir)]);
  const watcher = Deno.watchFs([...folders], { recursive: true });
  options.logger.info(
    `Watching ${options.configPath} and ${apps.length} app folder(s) for changes`,
  );
  let config = false;
  let keys = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (config) options.onConfig();
    else if (keys.size > 0) options.onApps(keys);
    config = false;
    keys = new Set();
  };
  (async () => {
    for await (const event of watcher) {
      if (event.kind === "access" || event.kind === "other") continue;
      for (const path of event.paths) {
        if (IGNORED.test(path)) continue;
        if (resolve(path) === options.configPath) config = true;
        for (const app of apps) {
          if (path === app.dir || path.startsWith(app.dir + sep)) {
            keys.add(app.key);
          }
        }
      }
      if (config || keys.size > 0) {
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(flush, SETTLE_MS);
      }
    }
  })().catch(() => {});
  return {
    close() {
      if (timer !== undefined) clearTimeout(timer);
      try {
        watcher.close();
      } catch {
        // Already closed.
      }
    },
  };
}

async function appFolders(
  config: Config,
  cbdir: string,
): Promise<{ key: string; dir: string }[]> {
  const apps: { key: string; dir: string }[] = [];
  for (const [w, worker] of config.workers.entries()) {
    if (worker.type !== "router") continue;
    for (const [t, transport] of worker.transports.entries()) {
      if (transport.type !== "web") continue;
      for (const { prefix, config: service } of flattenPaths(transport.paths)) {
        if (service.type !== "wsgi") continue;
        try {
          const resolved = await resolveModule(service.module, {
            cbdir,
            pythonpath: [...worker.options.pythonpath],
          });
          const dir = moduleDir(resolved);
          if (dir !== undefined) apps.push({ key: pathKey(w, t, prefix), dir });
        } catch {
          // Not resolvable now: start or reload reports it.
        }
      }
    }
  }
  return apps;
}
