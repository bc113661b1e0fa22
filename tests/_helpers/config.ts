/**
 * Node configs the tests share: realm1 open to the anonymous role, and a
 * router worker with one web transport on a loopback port.
 */
import type { PermissionConfig } from "../../lib/wamp/authorization.ts";
import type { RealmConfig } from "../../lib/wamp/realm.ts";

/** Every WAMP action allowed. */
export const ALLOW_ALL = {
  call: true,
  register: true,
  publish: true,
  subscribe: true,
} as const;

/**
 * `realm1`, where the `anonymous` role may do anything under `uri` (default
 * every URI); `disclose` and `cache` go into that permission when given.
 */
export function openRealm(
  permission: Pick<PermissionConfig, "disclose" | "cache"> & {
    uri?: string;
  } = {},
): RealmConfig {
  const { uri = "", ...rest } = permission;
  return {
    name: "realm1",
    roles: [{
      name: "anonymous",
      permissions: [{ uri, match: "prefix", allow: { ...ALLOW_ALL }, ...rest }],
    }],
  };
}

/** Options of {@link webRouter} and {@link webNodeConfig}. */
export interface WebRouterOptions {
  /** The transport's port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  /** The router's realms (default: one {@link openRealm}). */
  realms?: unknown[];
  /** The router worker's `options`, when it has any. */
  options?: Record<string, unknown>;
}

/** A router worker with one web transport serving `paths` on 127.0.0.1. */
export function webRouter(
  paths: Record<string, unknown>,
  extra: WebRouterOptions = {},
): Record<string, unknown> {
  return {
    type: "router",
    ...(extra.options ? { options: extra.options } : {}),
    realms: extra.realms ?? [openRealm()],
    transports: [{
      type: "web",
      endpoint: { type: "tcp", port: extra.port ?? 0, interface: "127.0.0.1" },
      paths,
    }],
  };
}

/** A whole node config: just {@link webRouter}. */
export function webNodeConfig(
  paths: Record<string, unknown>,
  extra: WebRouterOptions = {},
): { version: 2; workers: Record<string, unknown>[] } {
  return { version: 2, workers: [webRouter(paths, extra)] };
}
