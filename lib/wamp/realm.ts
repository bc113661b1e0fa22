/**
 * A realm: its roles, its sessions, its broker and dealer, and its meta
 * API. Realm configuration mirrors Crossbar's `realms` entries.
 *
 * @module
 */
import {
  type Action,
  type Authorization,
  createRoles,
  type InternalCall,
  type Role,
  type RoleConfig,
  TRUSTED_ROLE_NAME,
} from "./authorization.ts";
import { Broker } from "./broker.ts";
import { Dealer } from "./dealer.ts";
import { MetaApi } from "./meta_api.ts";
import type { Session } from "./session.ts";
import type { UriCheck } from "./uri.ts";
import type { Logger } from "../log/logger.ts";

/** Realm `options` (Crossbar's keys; only some change behaviour here). */
export interface RealmOptions {
  /** Serve the WAMP meta API on this realm. @default {true} */
  "enable_meta_api"?: boolean | undefined;
  /** Accepted for compatibility; no effect. @default {false} */
  "bridge_meta_api"?: boolean | undefined;
  /** URI syntax check. @default {"strict"} */
  "uri_check"?: UriCheck | undefined;
  /** Accepted for compatibility; no effect. @default {100} */
  "event_dispatching_chunk_size"?: number | undefined;
}

/** One realm of a router worker (Crossbar's JSON shape). */
export interface RealmConfig {
  /** Realm name, e.g. `realm1`. */
  name: string;
  /** Optional id (`realm001`…). */
  id?: string | undefined;
  /** Roles that sessions may take on this realm. @default {[]} */
  roles?: RoleConfig[] | undefined;
  /** Realm options. */
  options?: RealmOptions | undefined;
  /** Accepted for compatibility (realm store); not used. */
  store?: Record<string, unknown> | undefined;
  /** Accepted for compatibility; not used. */
  inventory?: unknown | undefined;
  /** Accepted for compatibility (router-to-router links); not used. */
  rlinks?: unknown[] | undefined;
}

const BROKER_FEATURES = {
  "publisher_identification": true,
  "pattern_based_subscription": true,
  "subscriber_blackwhite_listing": true,
  "publisher_exclusion": true,
  "subscription_revocation": true,
  "event_retention": true,
  "payload_transparency": true,
  "payload_encryption_cryptobox": true,
};

const DEALER_FEATURES = {
  "caller_identification": true,
  "pattern_based_registration": true,
  "shared_registration": true,
  "progressive_call_results": true,
  "registration_revocation": true,
  "payload_transparency": true,
  "payload_encryption_cryptobox": true,
  "call_canceling": true,
  "call_timeout": true,
};

/** Static cooperation points a realm needs from its router. */
export interface RealmHost {
  /** Router log. */
  readonly logger: Logger;
  /** Calls a procedure on a realm as the router (dynamic authorizers). */
  callOn(realm: string, procedure: string, args: unknown[]): Promise<unknown>;
}

/** A running realm. */
export class Realm {
  /** Realm name. */
  readonly name: string;
  /** URI syntax check for this realm. */
  readonly uriCheck: UriCheck;
  /** Whether the meta API is on. */
  readonly metaEnabled: boolean;
  /** WELCOME `roles` announcing the router's features. */
  readonly features: Record<string, unknown>;
  /** Joined sessions by id. */
  readonly sessions: Map<number, Session> = new Map();
  /** Pub/sub. */
  readonly broker: Broker;
  /** RPC. */
  readonly dealer: Dealer;
  /** Meta API events and procedures. */
  readonly meta: MetaApi;
  /** Router log. */
  readonly logger: Logger;
  readonly #roles: Map<string, Role>;

  /**
   * @param config Realm config.
   * @param host The router.
   */
  constructor(config: RealmConfig, host: RealmHost) {
    this.name = config.name;
    this.logger = host.logger;
    this.uriCheck = config.options?.uri_check ?? "strict";
    this.metaEnabled = config.options?.enable_meta_api ?? true;
    const call: InternalCall = (procedure, args) =>
      host.callOn(this.name, procedure, args);
    this.#roles = createRoles(config.roles ?? [], call);
    const meta = this.metaEnabled
      ? {
        "session_meta_api": true,
      }
      : {};
    this.features = {
      broker: {
        features: {
          ...BROKER_FEATURES,
          ...meta,
          ...(this.metaEnabled ? { subscription_meta_api: true } : {}),
        },
      },
      dealer: {
        features: {
          ...DEALER_FEATURES,
          ...meta,
          ...(this.metaEnabled ? { registration_meta_api: true } : {}),
        },
      },
    };
    this.meta = new MetaApi(this);
    this.broker = new Broker(this);
    this.dealer = new Dealer(this);
    if (this.metaEnabled) this.meta.registerProcedures(this.dealer);
  }

  /** The role called `name`, if it exists on this realm. */
  role(name: string): Role | undefined {
    return this.#roles.get(name);
  }

  /** Whether `session` is the router's own (trusted) kind of session. */
  isTrusted(session: Session): boolean {
    return session.authrole === TRUSTED_ROLE_NAME;
  }

  /**
   * Decides whether `session` may do `action` on `uri`.
   *
   * @returns The decision, synchronously for static roles.
   */
  authorize(
    session: Session,
    uri: string,
    action: Action,
    options: Record<string, unknown>,
  ): Authorization | Promise<Authorization> {
    const role = session.role;
    if (role === undefined) {
      return { allow: false, disclose: false, cache: false };
    }
    return role.authorize(session, uri, action, options);
  }

  /** Adds a session that was just welcomed. */
  join(session: Session): void {
    this.sessions.set(session.id, session);
    if (!session.hidden) this.meta.onJoin(session);
  }

  /** Removes a session and everything it held. */
  leave(session: Session): void {
    if (!this.sessions.delete(session.id)) return;
    this.dealer.removeSession(session);
    this.broker.removeSession(session);
    if (!session.hidden) this.meta.onLeave(session);
  }
}
