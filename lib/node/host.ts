/**
 * Hosting a node in-process from a config object, the way a platform such
 * as Deno Deploy would run it (and the way the tests do).
 */
import { resolve } from "node:path";
import { validateConfig } from "../config/mod.ts";
import { SILENT_LOGGER } from "../log/mod.ts";
import { type Node, startNode, type StartNodeOptions } from "./node.ts";

/** Options for {@link hostNode}. */
export interface HostNodeOptions
  extends Partial<Omit<StartNodeOptions, "config">> {
  /** Environment for `$VAR` references in the config. @default {Deno.env} */
  readonly env?: Record<string, string | undefined>;
}

/**
 * Validates `config` (a plain object in Crossbar's format) and starts the
 * node. Use port 0 in the config to get a free port; the node's `url` tells
 * which.
 *
 * @param config The node configuration object.
 * @param options Node directory (default: the current directory), logger
 * (default: silent), grace period.
 * @returns The running node; `await using` it or call `close()`.
 * @throws {ConfigError} When the config is invalid.
 *
 * @example Serve an app on a random port
 * ```ts ignore
 * import { hostNode } from "./host.ts";
 * await using node = await hostNode({
 *   version: 2,
 *   workers: [{
 *     type: "router",
 *     transports: [{
 *       type: "web",
 *       endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
 *       paths: { "/": { type: "wsgi", module: "./app.ts", object: "default" } },
 *     }],
 *   }],
 * });
 * console.log(await (await fetch(node.url)).text());
 * ```
 */
export async function hostNode(
  config: unknown,
  options: HostNodeOptions = {},
): Promise<Node> {
  const cbdir = resolve(options.cbdir ?? ".");
  const loaded = validateConfig(config, {
    env: options.env ?? Deno.env.toObject(),
  });
  return await startNode({
    ...options,
    config: loaded.config,
    cbdir,
    logger: options.logger ?? SILENT_LOGGER,
  });
}
