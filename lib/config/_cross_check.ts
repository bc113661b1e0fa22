/**
 * Checks across parts of a validated config: realm references, tcp port
 * clashes and path keys that land on the same URL path.
 *
 * @module
 */

import type { Config, PathsConfig, RouterWorkerConfig } from "./schema.ts";
import type { JsonPath } from "./_source_map.ts";

/** A problem found by a cross check. */
export interface CrossProblem {
  readonly path: JsonPath;
  readonly message: string;
  readonly atKey?: boolean;
}

/**
 * Runs every cross check.
 *
 * @param config A config that passed the schema.
 * @returns The problems, in document order.
 */
export function crossCheck(config: Config): CrossProblem[] {
  const problems: CrossProblem[] = [];
  config.workers.forEach((worker, w) => {
    if (worker.type !== "router") return;
    checkNames(worker, w, problems);
    worker.transports.forEach((transport, t) => {
      const auth = (transport as { auth?: unknown }).auth;
      checkAuth(
        auth,
        worker,
        ["workers", w, "transports", t, "auth"],
        problems,
      );
      if (transport.type !== "web") return;
      const base = ["workers", w, "transports", t, "paths"];
      checkPaths(transport.paths, base, "", new Map(), worker, problems);
    });
  });
  checkPorts(config, problems);
  return problems;
}

/** Realm names within a worker, and role names within a realm, are unique. */
function checkNames(
  worker: RouterWorkerConfig,
  w: number,
  problems: CrossProblem[],
): void {
  const realms = new Map<string, number>();
  worker.realms.forEach((realm, r) => {
    const earlier = realms.get(realm.name);
    if (earlier !== undefined) {
      problems.push({
        path: ["workers", w, "realms", r, "name"],
        message: `realm ${
          JSON.stringify(realm.name)
        } is defined twice (also at workers[${w}].realms[${earlier}])`,
      });
    } else {
      realms.set(realm.name, r);
    }
    const roles = new Map<string, number>();
    realm.roles.forEach((role, n) => {
      const first = roles.get(role.name);
      if (first !== undefined) {
        problems.push({
          path: ["workers", w, "realms", r, "roles", n, "name"],
          message: `role ${
            JSON.stringify(role.name)
          } is defined twice in this realm (also at roles[${first}])`,
        });
      } else {
        roles.set(role.name, n);
      }
    });
  });
}

function realmNames(worker: RouterWorkerConfig): string[] {
  return worker.realms.map((realm) => realm.name);
}

function checkRealm(
  realm: string,
  worker: RouterWorkerConfig,
  path: JsonPath,
  problems: CrossProblem[],
): void {
  const names = realmNames(worker);
  if (names.includes(realm)) return;
  problems.push({
    path,
    message: `realm ${JSON.stringify(realm)} is not a realm of this worker (${
      names.length ? `realms: ${names.join(", ")}` : "the worker has no realms"
    })`,
  });
}

function checkPaths(
  paths: PathsConfig,
  base: JsonPath,
  prefix: string,
  seen: Map<string, JsonPath>,
  worker: RouterWorkerConfig,
  problems: CrossProblem[],
): void {
  for (const [key, service] of Object.entries(paths)) {
    const at = [...base, key];
    const full = key === "/" ? prefix : `${prefix}/${key}`;
    if (service.type === "path") {
      checkPaths(service.paths, [...at, "paths"], full, seen, worker, problems);
      continue;
    }
    const earlier = seen.get(full);
    if (earlier !== undefined) {
      problems.push({
        path: at,
        atKey: true,
        message: `URL path "${full || "/"}" is mapped twice (also by ${
          renderShort(earlier)
        })`,
      });
    } else {
      seen.set(full, at);
    }
    if (service.type === "wsgi" && service.wamp !== undefined) {
      checkRealm(
        service.wamp.realm,
        worker,
        [...at, "wamp", "realm"],
        problems,
      );
      checkRole(
        service.wamp.role,
        service.wamp.realm,
        worker,
        [...at, "wamp", "role"],
        problems,
      );
    }
    if (
      service.type === "publisher" || service.type === "caller" ||
      service.type === "webhook"
    ) {
      checkRealm(service.realm, worker, [...at, "realm"], problems);
      checkRole(service.role, service.realm, worker, [...at, "role"], problems);
    }
    if (service.type === "websocket") {
      checkAuth(service.auth, worker, [...at, "auth"], problems);
    }
  }
}

/**
 * A role named for `realm` exists there; with no realm (a principal that
 * may join any realm), in at least one realm of the worker. An unknown
 * realm is reported by {@link checkRealm} instead.
 */
function checkRole(
  role: string | undefined,
  realm: string | undefined,
  worker: RouterWorkerConfig,
  path: JsonPath,
  problems: CrossProblem[],
): void {
  if (role === undefined) return;
  const realms = realm === undefined
    ? worker.realms
    : worker.realms.filter((r) => r.name === realm);
  if (realm !== undefined && realms.length === 0) return;
  const roles = realms.flatMap((r) => r.roles.map((x) => x.name));
  if (roles.includes(role)) return;
  const where = realm === undefined
    ? "any realm of this worker"
    : `realm ${JSON.stringify(realm)}`;
  problems.push({
    path,
    message: `role ${JSON.stringify(role)} is not a role of ${where} (${
      roles.length
        ? `roles: ${[...new Set(roles)].join(", ")}`
        : "it has no roles"
    })`,
  });
}

/** The roles (and realms) that static principals of `auth` are given exist. */
function checkAuth(
  auth: unknown,
  worker: RouterWorkerConfig,
  path: JsonPath,
  problems: CrossProblem[],
): void {
  if (typeof auth !== "object" || auth === null) return;
  for (const [method, config] of Object.entries(auth)) {
    const at = [...path, method];
    const authenticatorRealm = config?.["authenticator-realm"];
    if (config?.type === "dynamic" && typeof authenticatorRealm === "string") {
      checkRealm(
        authenticatorRealm,
        worker,
        [...at, "authenticator-realm"],
        problems,
      );
    }
    if (config?.type !== "static") continue;
    if (method === "anonymous") {
      if (config.realm !== undefined) {
        checkRealm(config.realm, worker, [...at, "realm"], problems);
      }
      checkRole(config.role, config.realm, worker, [...at, "role"], problems);
      continue;
    }
    const principals = config.principals ?? config.users ?? {};
    const key = config.principals !== undefined ? "principals" : "users";
    for (const [authid, principal] of Object.entries(principals)) {
      const { role, realm } = principal as { role?: string; realm?: string };
      const here = [...at, key, authid];
      if (realm !== undefined) {
        checkRealm(realm, worker, [...here, "realm"], problems);
      }
      checkRole(role, realm, worker, [...here, "role"], problems);
    }
  }
}

function renderShort(path: JsonPath): string {
  const i = path.indexOf("paths");
  const keys = path.slice(i).filter((_p, n) => n % 2 === 1);
  return `path key ${keys.map((k) => JSON.stringify(k)).join(" → ")}`;
}

interface Listener {
  port: number;
  iface: string;
  shared: boolean;
  path: JsonPath;
}

const ANY_INTERFACE = new Set(["", "0.0.0.0", "::"]);

function overlaps(a: string, b: string): boolean {
  return a === b || ANY_INTERFACE.has(a) || ANY_INTERFACE.has(b);
}

function checkPorts(config: Config, problems: CrossProblem[]): void {
  const listeners: Listener[] = [];
  const sockets = new Map<string, JsonPath>();
  config.workers.forEach((worker, w) => {
    if (worker.type !== "router") return;
    worker.transports.forEach((transport, t) => {
      const endpoint = transport.endpoint;
      if (endpoint.type === "unix") {
        const path = ["workers", w, "transports", t, "endpoint", "path"];
        const clash = sockets.get(endpoint.path);
        if (clash) {
          problems.push({
            path,
            message: `socket path ${
              JSON.stringify(endpoint.path)
            } is already used by ${describeTransport(clash)}`,
          });
        } else {
          sockets.set(endpoint.path, path);
        }
        return;
      }
      if (!endpoint.port) return;
      const path = ["workers", w, "transports", t, "endpoint", "port"];
      const me: Listener = {
        port: endpoint.port,
        iface: endpoint.interface ?? "",
        shared: endpoint.shared,
        path,
      };
      const clash = listeners.find((other) =>
        other.port === me.port && overlaps(other.iface, me.iface) &&
        !(other.shared && me.shared)
      );
      if (clash) {
        problems.push({
          path,
          message: `port ${me.port} is already used by ${
            describeTransport(clash.path)
          } (give each transport its own port, or set "shared": true on both)`,
        });
      }
      listeners.push(me);
    });
  });
}

function describeTransport(path: JsonPath): string {
  return `workers[${path[1]}].transports[${path[3]}]`;
}
