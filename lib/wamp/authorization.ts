/**
 * Roles and permissions, as Crossbar configures them on a realm: static
 * permission lists (exact, prefix, wildcard, starred URIs; default deny) and
 * dynamic authorizer procedures.
 *
 * @module
 */
import { WAMP_ERRORS, WampError } from "./errors.ts";
import { isDict } from "./messages.ts";
import {
  compareWildcards,
  convertStarredUri,
  type MatchPolicy,
  wildcardMatches,
} from "./uri.ts";

/** An action a role may be allowed on a URI. */
export type Action = "call" | "register" | "publish" | "subscribe";

/** One permission of a static role (Crossbar's JSON shape). */
export interface PermissionConfig {
  /** The URI; with `match` omitted, stars are converted (`com.ex.*`). */
  uri: string;
  /** How `uri` matches; omitted → derived from stars in `uri`. */
  match?: MatchPolicy | undefined;
  /** Allowed actions. @default {all false} */
  allow?: {
    call?: boolean | undefined;
    register?: boolean | undefined;
    publish?: boolean | undefined;
    subscribe?: boolean | undefined;
  } | undefined;
  /** Identity disclosure. @default {all false} */
  disclose?: {
    caller?: boolean | undefined;
    publisher?: boolean | undefined;
  } | undefined;
  /** Whether the decision may be cached (decisions are always cached here). @default {false} */
  cache?: boolean | undefined;
  /** Payload validation type names (accepted, not enforced). */
  validate?: Record<string, unknown> | undefined;
}

/**
 * A role on a realm: a permission list or an authorizer procedure URI
 * (Crossbar forbids both; with neither, the role denies everything).
 */
export interface RoleConfig {
  /** Role name. */
  name: string;
  /** Optional id. */
  id?: string | undefined;
  /** Static permissions (default deny for anything not listed). */
  permissions?: PermissionConfig[] | undefined;
  /** URI of a dynamic authorizer procedure. */
  authorizer?: string | undefined;
}

/** The outcome of authorizing one action on one URI. */
export interface Authorization {
  /** Whether the action is allowed. */
  readonly allow: boolean;
  /** Whether to disclose the caller/publisher identity. */
  readonly disclose: boolean;
  /** Whether the decision may be reused for the same session, URI, action. */
  readonly cache: boolean;
}

/** What a role's authorizer sees of the session asking. */
export interface AuthorizingSession {
  /** Session id. */
  readonly id: number;
  /** Session details as given to a dynamic authorizer. */
  details(): Record<string, unknown>;
  /** Per-session cache for dynamic decisions marked `cache`. */
  readonly authorizationCache: Map<string, Authorization>;
}

/** Calls a procedure on the realm as the router (for dynamic authorizers). */
export type InternalCall = (
  procedure: string,
  args: unknown[],
) => Promise<unknown>;

/** A role as the realm uses it. */
export interface Role {
  /** Role name. */
  readonly name: string;
  /**
   * Decides whether `session` may do `action` on `uri`. Synchronous for
   * static roles; a promise for dynamic ones.
   *
   * @throws {WampError} `wamp.error.authorization_failed` when a dynamic
   * authorizer fails.
   */
  authorize(
    session: AuthorizingSession,
    uri: string,
    action: Action,
    options: Record<string, unknown>,
  ): Authorization | Promise<Authorization>;
}

const DENY: Authorization = Object.freeze({
  allow: false,
  disclose: false,
  cache: true,
});
const ALLOW: Authorization = Object.freeze({
  allow: true,
  disclose: false,
  cache: true,
});
const CACHE_LIMIT = 10_000;

/** The built-in role of the router's own sessions: everything allowed. */
export const TRUSTED_ROLE_NAME = "trusted";

interface CompiledPermission {
  readonly uri: string;
  readonly match: MatchPolicy;
  readonly parts: readonly string[];
  readonly allow: Readonly<Record<Action, boolean>>;
  readonly disclose: Readonly<Record<"caller" | "publisher", boolean>>;
}

function compilePermission(config: PermissionConfig): CompiledPermission {
  const { uri, match } = config.match === undefined
    ? convertStarredUri(config.uri)
    : { uri: config.uri, match: config.match };
  return {
    uri,
    match,
    parts: match === "wildcard" ? uri.split(".") : [],
    allow: {
      call: config.allow?.call === true,
      register: config.allow?.register === true,
      publish: config.allow?.publish === true,
      subscribe: config.allow?.subscribe === true,
    },
    disclose: {
      caller: config.disclose?.caller === true,
      publisher: config.disclose?.publisher === true,
    },
  };
}

/**
 * A role with a fixed permission list. Matching: an exact permission equal
 * to the URI wins; else the best matching wildcard permission (the one with
 * concrete components furthest left); else the longest matching prefix
 * permission; else deny. Decisions are cached per URI and action.
 */
export class StaticRole implements Role {
  /** Role name. */
  readonly name: string;
  #exact = new Map<string, CompiledPermission>();
  #prefix: CompiledPermission[] = [];
  #wildcard: CompiledPermission[] = [];
  #cache = new Map<string, Authorization>();

  /**
   * @param name Role name.
   * @param permissions The role's permissions.
   */
  constructor(name: string, permissions: readonly PermissionConfig[]) {
    this.name = name;
    for (const config of permissions) {
      const permission = compilePermission(config);
      if (permission.match === "exact") {
        this.#exact.set(permission.uri, permission);
      } else if (permission.match === "prefix") {
        this.#prefix.push(permission);
      } else this.#wildcard.push(permission);
    }
    this.#prefix.sort((a, b) => b.uri.length - a.uri.length);
  }

  /** Decides `action` on `uri` (synchronous, cached). */
  authorize(
    _session: AuthorizingSession,
    uri: string,
    action: Action,
  ): Authorization {
    const key = action + " " + uri;
    let result = this.#cache.get(key);
    if (result === undefined) {
      result = this.#decide(uri, action);
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
      this.#cache.set(key, result);
    }
    return result;
  }

  /** The permission that governs `uri`, if any. */
  findPermission(uri: string): CompiledPermission | undefined {
    const exact = this.#exact.get(uri);
    if (exact !== undefined) return exact;
    if (this.#wildcard.length > 0) {
      const parts = uri.split(".");
      let best: CompiledPermission | undefined;
      for (const permission of this.#wildcard) {
        if (!wildcardMatches(permission.parts, parts)) continue;
        if (
          best === undefined ||
          compareWildcards(permission.parts, best.parts) < 0
        ) best = permission;
      }
      if (best !== undefined) return best;
    }
    for (const permission of this.#prefix) {
      if (uri.startsWith(permission.uri)) return permission;
    }
    return undefined;
  }

  #decide(uri: string, action: Action): Authorization {
    const permission = this.findPermission(uri);
    if (permission === undefined || !permission.allow[action]) return DENY;
    const disclose = action === "call"
      ? permission.disclose.caller
      : action === "publish"
      ? permission.disclose.publisher
      : false;
    return disclose ? { allow: true, disclose: true, cache: true } : ALLOW;
  }
}

/** The router's own role: every action allowed, nothing disclosed. */
export class TrustedRole implements Role {
  /** Role name. */
  readonly name: string;

  /** @param name Role name. @default {"trusted"} */
  constructor(name: string = TRUSTED_ROLE_NAME) {
    this.name = name;
  }

  /** Allows everything. */
  authorize(): Authorization {
    return ALLOW;
  }
}

/**
 * A role whose decisions come from an authorizer procedure, called as
 * `(session_details, uri, action, options)`; it returns a bool or a dict
 * `{allow, disclose?, cache?}`. Decisions marked `cache` are kept per
 * session.
 */
export class DynamicRole implements Role {
  /** Role name. */
  readonly name: string;
  readonly #authorizer: string;
  readonly #call: InternalCall;

  /**
   * @param name Role name.
   * @param authorizer URI of the authorizer procedure.
   * @param call How to call it on the realm.
   */
  constructor(name: string, authorizer: string, call: InternalCall) {
    this.name = name;
    this.#authorizer = authorizer;
    this.#call = call;
  }

  /** Asks the authorizer (or the session's cache). */
  authorize(
    session: AuthorizingSession,
    uri: string,
    action: Action,
    options: Record<string, unknown>,
  ): Authorization | Promise<Authorization> {
    const key = action + " " + uri;
    const cached = session.authorizationCache.get(key);
    if (cached !== undefined) return cached;
    return this.#ask(session, uri, action, options).then((result) => {
      if (result.cache) {
        const cache = session.authorizationCache;
        if (cache.size >= CACHE_LIMIT) cache.clear();
        cache.set(key, result);
      }
      return result;
    });
  }

  async #ask(
    session: AuthorizingSession,
    uri: string,
    action: Action,
    options: Record<string, unknown>,
  ): Promise<Authorization> {
    let value: unknown;
    try {
      value = await this.#call(this.#authorizer, [
        session.details(),
        uri,
        action,
        options,
      ]);
    } catch (error) {
      const detail = error instanceof WampError ? error.uri : String(error);
      throw new WampError(WAMP_ERRORS.AUTHORIZATION_FAILED, [
        `Authorization of "${action}" on "${uri}" failed: authorizer "${this.#authorizer}" raised ${detail}`,
      ]);
    }
    return parseAuthorizerResult(value, this.#authorizer);
  }
}

function parseAuthorizerResult(
  value: unknown,
  authorizer: string,
): Authorization {
  if (typeof value === "boolean") return value ? ALLOW_NO_CACHE : DENY_NO_CACHE;
  if (isDict(value) && typeof value.allow === "boolean") {
    return {
      allow: value.allow,
      disclose: value.disclose === true,
      cache: value.cache === true,
    };
  }
  throw new WampError(WAMP_ERRORS.AUTHORIZATION_FAILED, [
    `Authorizer "${authorizer}" returned an invalid result: expected a bool or a dict with a bool "allow"`,
  ]);
}

const ALLOW_NO_CACHE: Authorization = Object.freeze({
  allow: true,
  disclose: false,
  cache: false,
});
const DENY_NO_CACHE: Authorization = Object.freeze({
  allow: false,
  disclose: false,
  cache: false,
});

/**
 * Builds the role objects for a realm's role list.
 *
 * @param roles The configured roles.
 * @param call How dynamic authorizers call procedures on the realm.
 * @returns Roles by name, always including `trusted` unless configured.
 */
export function createRoles(
  roles: readonly RoleConfig[],
  call: InternalCall,
): Map<string, Role> {
  const result = new Map<string, Role>();
  result.set(TRUSTED_ROLE_NAME, new TrustedRole());
  for (const role of roles) {
    if (role.authorizer !== undefined) {
      result.set(role.name, new DynamicRole(role.name, role.authorizer, call));
    } else {
      result.set(role.name, new StaticRole(role.name, role.permissions ?? []));
    }
  }
  return result;
}
