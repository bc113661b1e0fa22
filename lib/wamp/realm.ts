/**
 * A realm: its roles, its members, its broker and dealer, its meta API and
 * its routing seam. Realm configuration mirrors Crossbar's `realms` entries.
 *
 * Message path of an established session: `session.ts` checks the state
 * machine, then {@link Realm.dispatch} hands each message (a typed tuple
 * from `messages.ts`) to the broker or dealer. The realm is their
 * {@link Gate} (authorization by role, URI check, membership) and wires the
 * meta API in as their events; a cluster backplane set on
 * {@link Realm.backplane} gets the routing hooks of `routing.ts`.
 *
 * @module
 */
import {
  type Action,
  type Authorization,
  type AuthorizingSession,
  createRoles,
  type InternalCall,
  type Role,
  TRUSTED_ROLE_NAME,
} from "./authorization.ts";
import { Broker } from "./broker.ts";
import { Dealer } from "./dealer.ts";
import { ProtocolViolationError } from "./errors.ts";
import {
  type Dict,
  type IncomingMessage,
  MESSAGE_TYPES as T,
  messageName,
} from "./messages.ts";
import { MetaApi, type MetaMember } from "./meta_api.ts";
import type { Gate } from "./peer.ts";
import type { RealmBackplane } from "./routing.ts";
import type { WampMessage } from "./transport.ts";
import type { UriCheck } from "./uri.ts";
import type { Logger } from "../log/logger.ts";
import type {
  RealmConfig as ValidRealmConfig,
  RealmConfigInput,
} from "../config/mod.ts";

export type { RealmBackplane } from "./routing.ts";

/**
 * A session as its realm sees it: a peer with a role, details for the meta
 * API and dynamic authorizers, and a way to report asynchronous failures.
 * `session.ts` implements it.
 */
export interface RealmMember extends MetaMember, AuthorizingSession {
  /** The role object, while joined. */
  readonly role: Role | undefined;
  /** The realm it joined (unset when it leaves). */
  readonly realm: Realm | undefined;
  /** Handles an error from an asynchronous step of handling `message`. */
  reportAsyncError(error: unknown, message: WampMessage): void;
}

/**
 * One realm of a router worker as written (Crossbar's JSON shape): the
 * config schema's input type, the one place its keys and defaults live.
 */
export type RealmConfig = RealmConfigInput;

/** Realm `options` as the schema settles them (every default applied). */
export type RealmOptions = ValidRealmConfig["options"];

const BROKER_FEATURES = {
  "publisher_identification": true,
  "pattern_based_subscription": true,
  "subscriber_blackwhite_listing": true,
  "publisher_exclusion": true,
  "subscription_revocation": true,
  "event_retention": true,
  "payload_transparency": true,
  "payload_encryption_cryptobox": true,
  // The WAMP spec's name for payload passthrough (wampy checks it).
  "payload_passthru_mode": true,
};

const DEALER_FEATURES = {
  "caller_identification": true,
  "pattern_based_registration": true,
  "shared_registration": true,
  "progressive_call_results": true,
  "registration_revocation": true,
  "payload_transparency": true,
  "payload_encryption_cryptobox": true,
  "payload_passthru_mode": true,
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
export class Realm implements Gate<RealmMember> {
  /** Realm name. */
  readonly name: string;
  /** URI syntax check for this realm. */
  readonly uriCheck: UriCheck;
  /** Whether the meta API is on. */
  readonly metaEnabled: boolean;
  /** WELCOME `roles` announcing the router's features. */
  readonly features: Record<string, unknown>;
  /** Joined sessions by id. */
  readonly sessions: Map<number, RealmMember> = new Map();
  /** Pub/sub. */
  readonly broker: Broker<RealmMember>;
  /** RPC. */
  readonly dealer: Dealer<RealmMember>;
  /** Meta API events and procedures. */
  readonly meta: MetaApi<RealmMember>;
  /** Router log. */
  readonly logger: Logger;
  /**
   * The cluster backplane this realm is routed through besides local
   * delivery (`routing.ts`); `undefined` (the default) routes locally only.
   */
  backplane: RealmBackplane<RealmMember> | undefined;
  readonly #roles: Map<string, Role>;

  /**
   * @param config Realm config, validated by the config schema (the router
   * runs it; its defaults are applied).
   * @param host The router.
   */
  constructor(config: ValidRealmConfig, host: RealmHost) {
    this.name = config.name;
    this.logger = host.logger;
    this.uriCheck = config.options.uri_check;
    this.metaEnabled = config.options.enable_meta_api;
    const call: InternalCall = (procedure, args) =>
      host.callOn(this.name, procedure, args);
    this.#roles = createRoles(config.roles, call);
    this.features = announcedFeatures(this.metaEnabled);
    this.meta = new MetaApi<RealmMember>({
      enabled: this.metaEnabled,
      members: () => this.sessions.values(),
      member: (id) => this.sessions.get(id),
      publish: (topic, args, kwargs) =>
        this.broker.publishInternal(topic, args, kwargs),
    });
    const backplane = () => this.backplane;
    this.broker = new Broker({ gate: this, events: this.meta, backplane });
    this.dealer = new Dealer({ gate: this, events: this.meta, backplane });
    if (this.metaEnabled) {
      this.meta.registerProcedures(this.dealer, this.broker);
    }
  }

  /** The role called `name`, if it exists on this realm. */
  role(name: string): Role | undefined {
    return this.#roles.get(name);
  }

  /** Whether `session` is the router's own (trusted) kind of session. */
  isTrusted(session: RealmMember): boolean {
    return session.authrole === TRUSTED_ROLE_NAME;
  }

  /**
   * Decides whether `session` may do `action` on `uri`.
   *
   * @returns The decision, synchronously for static roles.
   */
  authorize(
    session: RealmMember,
    uri: string,
    action: Action,
    options: Dict,
  ): Authorization | Promise<Authorization> {
    const role = session.role;
    if (role === undefined) {
      return { allow: false, disclose: false, cache: false };
    }
    return role.authorize(session, uri, action, options);
  }

  /** {@inheritDoc Gate.isActive} */
  isActive(session: RealmMember): boolean {
    return session.realm === this;
  }

  /** {@inheritDoc Gate.failed} */
  failed(session: RealmMember, error: unknown, message: WampMessage): void {
    session.reportAsyncError(error, message);
  }

  /**
   * Handles one message of an established member (everything but GOODBYE
   * and ABORT, which its session handles).
   *
   * @throws {ProtocolViolationError} For a message a client may not send
   *   on an established session.
   * @throws {WampError} When the request fails (becomes its ERROR).
   */
  dispatch(session: RealmMember, message: IncomingMessage): void {
    switch (message[0]) {
      case T.PUBLISH:
        return this.broker.publish(session, message);
      case T.SUBSCRIBE:
        return this.broker.subscribe(session, message);
      case T.UNSUBSCRIBE:
        return this.broker.unsubscribe(session, message);
      case T.CALL:
        return this.dealer.call(session, message);
      case T.YIELD:
        return this.dealer.yield(session, message);
      case T.CANCEL:
        return this.dealer.cancel(session, message);
      case T.REGISTER:
        return this.dealer.register(session, message);
      case T.UNREGISTER:
        return this.dealer.unregister(session, message);
      case T.ERROR:
        if (message[1] !== T.INVOCATION) {
          throw new ProtocolViolationError(
            `Received ERROR for ${
              messageName(message[1])
            }; a client may only send ERROR for INVOCATION`,
          );
        }
        return this.dealer.invocationError(session, message);
      default:
        throw new ProtocolViolationError(
          `Received ${messageName(message[0])} on an established session`,
        );
    }
  }

  /**
   * Local delivery of traffic from elsewhere (`routing.ts`): handles a
   * PUBLISH or CALL (or YIELD, CANCEL, ERROR) of `peer`, a stand-in for a
   * session on another node, as if a member had sent it.
   */
  deliver(peer: RealmMember, message: IncomingMessage): void {
    this.dispatch(peer, message);
  }

  /** Adds a session that was just welcomed. */
  join(session: RealmMember): void {
    this.sessions.set(session.id, session);
    if (!session.hidden) this.meta.onJoin(session);
  }

  /** Removes a session and everything it held. */
  leave(session: RealmMember): void {
    if (!this.sessions.delete(session.id)) return;
    this.dealer.removePeer(session);
    this.broker.removePeer(session);
    this.backplane?.left(session);
    if (!session.hidden) this.meta.onLeave(session);
  }
}

function announcedFeatures(metaEnabled: boolean): Record<string, unknown> {
  const meta = metaEnabled ? { "session_meta_api": true } : {};
  return {
    broker: {
      features: {
        ...BROKER_FEATURES,
        ...meta,
        ...(metaEnabled ? { subscription_meta_api: true } : {}),
      },
    },
    dealer: {
      features: {
        ...DEALER_FEATURES,
        ...meta,
        ...(metaEnabled
          ? { registration_meta_api: true, testament_meta_api: true }
          : {}),
      },
    },
  };
}
