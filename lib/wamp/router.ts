/**
 * The WAMP router: realms from config, one session per attached transport,
 * in-process client sessions, trusted internal calls, and shutdown.
 *
 * Connection lifecycle:
 * 1. The wire layer (`websocket_transport.ts`) or `connectLocal()` calls
 *    `Router.attach()` and feeds decoded messages to the returned handler.
 * 2. `session.ts` validates each message (`messages.ts` `checkIncoming`,
 *    which types it as a tuple), runs the handshake with the transport's
 *    auth methods and joins a realm (`realm.ts`).
 * 3. `Realm.dispatch` hands established messages to `broker.ts` or
 *    `dealer.ts`, which authorize them through the realm's `Gate` (roles,
 *    `authorization.ts`) and tell a cluster backplane, if one is set
 *    (`routing.ts`).
 * 4. On GOODBYE, ABORT or transport close the session leaves the realm,
 *    dropping its subscriptions, registrations and calls (`meta_api.ts`
 *    tells subscribers).
 *
 * @module
 */
import type { AuthMethod, ProcedureCaller } from "./auth/authenticator.ts";
import { TRUSTED_ROLE_NAME } from "./authorization.ts";
import { createDuplexPair, type WampDuplex } from "./client/duplex.ts";
import { joinRealm } from "./client/join.ts";
import type { WampClient } from "./client/wamp_client.ts";
import { WAMP_ERRORS, WampError } from "./errors.ts";
import { randomId } from "./ids.ts";
import { Realm, type RealmConfig } from "./realm.ts";
import { validRealmConfig } from "./_realm_config.ts";
import { Session, type SessionHost } from "./session.ts";
import type {
  Transport,
  TransportHandler,
  TransportInfo,
} from "./transport.ts";
import { type Logger, SILENT_LOGGER } from "../log/logger.ts";

export type { RealmConfig, RealmOptions } from "./realm.ts";
export type { PermissionConfig, RoleConfig } from "./authorization.ts";

/** Options for {@link createRouter}. */
export interface RouterOptions {
  /** Realms to serve (Crossbar's `realms` list of a router worker). */
  realms: readonly RealmConfig[];
  /** Where to log. @default {SILENT_LOGGER} */
  logger?: Logger | undefined;
  /** Node id shown in WELCOME `authextra.x_cb_node`. @default {the host name} */
  nodeId?: string | undefined;
}

/** Options for {@link Router.attach}. */
export interface AttachOptions {
  /** Authentication methods offered on this transport, by method name. */
  authMethods: ReadonlyMap<string, AuthMethod>;
}

/** Options for {@link Router.connectLocal}. */
export interface LocalConnectOptions {
  /** Realm to join. */
  realm: string;
  /** Role to take (trusted as given); must exist unless `"trusted"`. */
  authrole: string;
  /** Authid. @default {a random id} */
  authid?: string | undefined;
}

/** Figures for the node info page. */
export interface RouterStats {
  /** Realms with their number of joined sessions. */
  realms: { name: string; sessions: number }[];
}

const INTERNAL_INFO: TransportInfo = Object.freeze({
  type: "internal",
  peer: "internal",
  serializer: "internal",
  secure: true,
});

/** How long `close()` waits for GOODBYE replies. */
const CLOSE_WAIT_MS = 1000;

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "node";
  }
}

/**
 * A WAMP v2 router. Create it with {@link createRouter}.
 */
export class Router implements ProcedureCaller {
  readonly #realms = new Map<string, Realm>();
  readonly #sessions = new Set<Session>();
  readonly #services = new Map<string, Promise<WampClient>>();
  readonly #logger: Logger;
  readonly #host: SessionHost;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  /** @param options Realms, logger and node id. */
  constructor(options: RouterOptions) {
    this.#logger = options.logger ?? SILENT_LOGGER;
    const nodeId = options.nodeId ?? hostName();
    const realmHost = {
      logger: this.#logger,
      callOn: (realm: string, procedure: string, args: unknown[]) =>
        this.callProcedure(realm, procedure, args),
    };
    for (const input of options.realms) {
      const config = validRealmConfig(input);
      if (this.#realms.has(config.name)) {
        throw new TypeError(
          `Cannot create realm "${config.name}": a realm with that name already exists`,
        );
      }
      this.#realms.set(config.name, new Realm(config, realmHost));
    }
    this.#host = {
      logger: this.#logger,
      nodeId,
      realm: (name) => this.#realms.get(name),
      newSessionId: () => {
        let id = randomId();
        while (this.#sessionIdTaken(id)) id = randomId();
        return id;
      },
      detached: (session) => {
        this.#sessions.delete(session);
        if (this.#sessions.size === 0) this.#drained?.();
      },
    };
  }

  /**
   * Attaches a connection. The wire layer feeds the returned handler.
   *
   * @param transport The connection.
   * @param options The auth methods offered on it.
   * @returns The handler for decoded messages and transport events.
   */
  attach(transport: Transport, options: AttachOptions): TransportHandler {
    return this.#attach(transport, options.authMethods, false);
  }

  /** Every realm (a cluster backplane joins them to other nodes). */
  realms(): Realm[] {
    return [...this.#realms.values()];
  }

  /** Whether a realm called `name` exists. */
  hasRealm(name: string): boolean {
    return this.#realms.has(name);
  }

  /** Realms and their session counts. */
  stats(): RouterStats {
    return {
      realms: [...this.#realms.values()].map((realm) => {
        let sessions = 0;
        for (const session of realm.sessions.values()) {
          if (!session.hidden) sessions++;
        }
        return { name: realm.name, sessions };
      }),
    };
  }

  /**
   * Joins `realm` with an in-process client session whose role is trusted
   * as given (the node itself asks).
   *
   * @returns The joined client.
   * @throws {WampError} `wamp.error.no_such_realm` / `no_such_role`.
   */
  connectLocal(options: LocalConnectOptions): Promise<WampClient> {
    return this.#connectLocal(options, false);
  }

  /**
   * Attaches the router end of an in-process or worker channel (for
   * example `messagePortDuplex()` over a `MessagePort` whose other end
   * a Web Worker holds). The peer joins with `joinRealm(duplex, { realm,
   * authmethods: ["internal"] })` and gets exactly the identity given here,
   * whatever it asks for. A `MessagePort` does not report a terminated
   * worker: call `duplex.close()` when the worker goes away, or the
   * session stays joined.
   *
   * @param duplex The router's end of the channel.
   * @param options The identity the peer is given.
   * @throws {WampError} `wamp.error.no_such_realm` / `no_such_role`.
   */
  acceptLocal(duplex: WampDuplex, options: LocalConnectOptions): void {
    const error = this.#checkIdentity(options);
    if (error !== undefined) throw error;
    this.#attachDuplex(duplex, options, false);
  }

  /**
   * Calls `procedure` on `realm` as the trusted router and resolves with
   * the first positional result (or the keyword results when there are
   * none).
   *
   * @throws {WampError} The call's error.
   */
  async callProcedure(
    realm: string,
    procedure: string,
    args: unknown[],
    kwargs?: Record<string, unknown>,
  ): Promise<unknown> {
    const client = await this.#service(realm);
    const result = await client.call(procedure, args, kwargs);
    return result.args.length > 0 ? result.args[0] : result.kwargs;
  }

  /**
   * Shuts down: GOODBYE (`wamp.close.system_shutdown`) to every session,
   * a brief wait for replies, then every transport is closed. Idempotent.
   */
  close(reason: string = WAMP_ERRORS.SYSTEM_SHUTDOWN): Promise<void> {
    return this.#closing ??= this.#shutdown(reason);
  }

  /** Same as {@link Router.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(reason: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const drained = new Promise<void>((resolve) => {
      this.#drained = resolve;
      if (this.#sessions.size === 0) resolve();
    });
    for (const session of [...this.#sessions]) session.shutdown(reason);
    const wait = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_WAIT_MS);
    });
    await Promise.race([drained, wait]);
    clearTimeout(timer);
    for (const session of [...this.#sessions]) {
      session.transport.close(1001, "server shutting down");
    }
    for (const session of [...this.#sessions]) session.onClose();
    const services = [...this.#services.values()];
    this.#services.clear();
    await Promise.allSettled(
      services.map((s) => s.then((client) => client.close())),
    );
  }

  #attach(
    transport: Transport,
    authMethods: ReadonlyMap<string, AuthMethod>,
    hidden: boolean,
  ): Session {
    const session = new Session(transport, this.#host, authMethods, hidden);
    if (this.#closing !== undefined) {
      transport.close();
      return session;
    }
    this.#sessions.add(session);
    return session;
  }

  #service(realm: string): Promise<WampClient> {
    let service = this.#services.get(realm);
    if (service === undefined) {
      service = this.#connectLocal({
        realm,
        authrole: TRUSTED_ROLE_NAME,
        authid: "router",
      }, true);
      this.#services.set(realm, service);
      service.then((client) =>
        client.closed.then(() => {
          if (this.#services.get(realm) === service) {
            this.#services.delete(realm);
          }
        }), () => this.#services.delete(realm));
    }
    return service;
  }

  #connectLocal(
    options: LocalConnectOptions,
    hidden: boolean,
  ): Promise<WampClient> {
    const error = this.#checkIdentity(options);
    if (error !== undefined) return Promise.reject(error);
    const [routerEnd, clientEnd] = createDuplexPair();
    this.#attachDuplex(routerEnd, options, hidden);
    return joinRealm(clientEnd, {
      realm: options.realm,
      authmethods: ["internal"],
    });
  }

  #sessionIdTaken(id: number): boolean {
    for (const realm of this.#realms.values()) {
      if (realm.sessions.has(id)) return true;
    }
    return false;
  }

  #checkIdentity(options: LocalConnectOptions): WampError | undefined {
    const realm = this.#realms.get(options.realm);
    if (realm === undefined) {
      return new WampError(WAMP_ERRORS.NO_SUCH_REALM, [
        `No realm "${options.realm}" exists on this router`,
      ]);
    }
    if (realm.role(options.authrole) === undefined) {
      return new WampError(WAMP_ERRORS.NO_SUCH_ROLE, [
        `No role "${options.authrole}" exists on realm "${options.realm}"`,
      ]);
    }
    return undefined;
  }

  #attachDuplex(
    end: WampDuplex,
    identity: LocalConnectOptions,
    hidden: boolean,
  ): void {
    const authMethods = new Map([["internal", fixedIdentity(identity)]]);
    const transport: Transport = {
      info: INTERNAL_INFO,
      send: (message) => end.send(message),
      close: () => end.close(),
    };
    const session = this.#attach(transport, authMethods, hidden);
    end.onmessage = (message) => session.onMessage(message);
    end.onclose = () => session.onClose();
  }
}

function fixedIdentity(options: LocalConnectOptions): AuthMethod {
  return {
    method: "internal",
    start: () => ({
      method: "internal",
      hello: () =>
        Promise.resolve({
          kind: "welcome",
          realm: options.realm,
          authid: options.authid ?? `internal-${randomId()}`,
          authrole: options.authrole,
          authmethod: "internal",
          authprovider: "internal",
        }),
      authenticate: () =>
        Promise.resolve({
          kind: "deny",
          uri: WAMP_ERRORS.PROTOCOL_VIOLATION,
          message: "Internal sessions take no AUTHENTICATE",
        }),
    }),
  };
}

/**
 * Creates a router for the given realms.
 *
 * @param options Realms (Crossbar's shape), logger and node id.
 * @returns The router.
 * @throws {TypeError} When two realms share a name.
 *
 * @example Publish to a local subscriber
 * ```ts
 * import { createRouter } from "./router.ts";
 * const router = createRouter({
 *   realms: [{
 *     name: "realm1",
 *     roles: [{ name: "anonymous", permissions: [{
 *       uri: "*",
 *       allow: { call: true, register: true, publish: true, subscribe: true },
 *     }] }],
 *   }],
 * });
 * const a = await router.connectLocal({ realm: "realm1", authrole: "anonymous" });
 * const got = new Promise((resolve) => a.subscribe("com.example.hello", resolve));
 * const b = await router.connectLocal({ realm: "realm1", authrole: "anonymous" });
 * await b.publish("com.example.hello", ["world"], {}, { acknowledge: true });
 * if ((await got as unknown[])[0] !== "world") throw new Error();
 * await router.close();
 * ```
 */
export function createRouter(options: RouterOptions): Router {
  return new Router(options);
}
