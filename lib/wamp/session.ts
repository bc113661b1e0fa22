/**
 * One router-side WAMP session per attached transport: the handshake state
 * machine (HELLO → CHALLENGE/AUTHENTICATE → WELCOME | ABORT), GOODBYE in
 * both directions, and error reporting. Established-session messages go to
 * `Realm.dispatch` (`realm.ts`), which hands them to the broker or dealer;
 * a session is their {@link Peer} and the realm's {@link RealmMember}.
 *
 * @module
 */
import type {
  Authenticator,
  AuthMethod,
  AuthResult,
} from "./auth/authenticator.ts";
import type { Authorization, Role } from "./authorization.ts";
import type { Peer, PeerFeatures } from "./peer.ts";
import { NO_FEATURES } from "./peer.ts";
import { ProtocolViolationError, WAMP_ERRORS, WampError } from "./errors.ts";
import {
  type AuthenticateMessage,
  checkIncoming,
  type Dict,
  type HelloMessage,
  type IncomingMessage,
  isDict,
  MESSAGE_TYPES as T,
  messageName,
  withPayload,
} from "./messages.ts";
import {
  type Transport,
  transportDetails,
  type TransportHandler,
  type WampMessage,
} from "./transport.ts";
import type { Logger } from "../log/logger.ts";
import { countWampMessage } from "../metrics/wamp_traffic.ts";
import { readHello } from "./_hello.ts";
import type { Realm, RealmMember } from "./realm.ts";

/** What a session needs from the router that owns it. */
export interface SessionHost {
  /** The realm called `name`, if any. */
  realm(name: string): Realm | undefined;
  /** A fresh session id, unique on the router. */
  newSessionId(): number;
  /** The session's transport closed: forget it. */
  detached(session: Session): void;
  /** Router log. */
  readonly logger: Logger;
  /** Node id for WELCOME `authextra.x_cb_node`. */
  readonly nodeId: string;
}

/** Who a session is, as set at WELCOME. */
interface Identity {
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod: string;
  readonly authprovider: string;
  readonly authextra: Dict;
}

const NO_IDENTITY: Identity = Object.freeze({
  authid: "",
  authrole: "",
  authmethod: "",
  authprovider: "",
  authextra: Object.freeze({}),
});

type State =
  | "initial"
  | "authenticating"
  | "challenged"
  | "established"
  | "closing"
  | "closed";

/** How long to wait for a GOODBYE reply before closing the transport. */
const GOODBYE_WAIT_MS = 2000;

/**
 * A router-side WAMP session over one transport. Created by
 * `Router.attach()`; the transport feeds it through the
 * {@link TransportHandler} methods.
 */
export class Session implements TransportHandler, Peer, RealmMember {
  /** The connection. */
  readonly transport: Transport;
  /** Cache of dynamic authorization decisions marked `cache`. */
  readonly authorizationCache: Map<string, Authorization> = new Map();
  /** Hidden from the session meta API (the router's own service session). */
  readonly hidden: boolean;

  #id = 0;
  #realm: Realm | undefined;
  #role: Role | undefined;
  #features: PeerFeatures = NO_FEATURES;
  #identity: Identity = NO_IDENTITY;
  #joinedAt = "";
  readonly #host: SessionHost;
  readonly #authMethods: ReadonlyMap<string, AuthMethod>;
  #state: State = "initial";
  #authenticator: Authenticator | undefined;
  #goodbyeTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param transport The connection.
   * @param host The router.
   * @param authMethods Methods offered on this transport.
   * @param hidden Hide it from the meta API (the router's own sessions).
   */
  constructor(
    transport: Transport,
    host: SessionHost,
    authMethods: ReadonlyMap<string, AuthMethod>,
    hidden = false,
  ) {
    this.transport = transport;
    this.#host = host;
    this.#authMethods = authMethods;
    this.hidden = hidden;
  }

  /** Session id (0 before HELLO). */
  get id(): number {
    return this.#id;
  }
  /** The joined realm, while established. */
  get realm(): Realm | undefined {
    return this.#realm;
  }
  /** The role object, while established. */
  get role(): Role | undefined {
    return this.#role;
  }
  /** Client features announced in HELLO. */
  get features(): PeerFeatures {
    return this.#features;
  }
  /** Identity, set at WELCOME. */
  get authid(): string {
    return this.#identity.authid;
  }
  /** Role name, set at WELCOME. */
  get authrole(): string {
    return this.#identity.authrole;
  }
  /** Auth method used. */
  get authmethod(): string {
    return this.#identity.authmethod;
  }
  /** Auth provider (`static`, `dynamic`, …). */
  get authprovider(): string {
    return this.#identity.authprovider;
  }
  /** Extra identity data from the authenticator. */
  get authextra(): Dict {
    return this.#identity.authextra;
  }
  /** When the session joined (ISO time; empty before). */
  get joinedAt(): string {
    return this.#joinedAt;
  }

  /** Whether the session has joined a realm and not left. */
  get established(): boolean {
    return this.#state === "established";
  }

  /** Sends a message to the peer (dropped once closed). */
  send(message: WampMessage): void {
    if (this.#state === "closed") return;
    countWampMessage("out", message[0]);
    this.transport.send(message);
  }

  /**
   * Session details as the meta API (`wamp.session.get`, `on_join`) and
   * dynamic authorizers see them: Crossbar's fields (autobahn's
   * `SessionDetails.marshal()` with Crossbar's transport info).
   */
  details(): Record<string, unknown> {
    const info = this.transport.info;
    return {
      realm: this.realm?.name ?? null,
      session: this.id,
      authid: this.authid,
      authrole: this.authrole,
      authmethod: this.authmethod,
      authprovider: this.authprovider,
      authextra: this.authextra,
      serializer: info.serializer,
      transport: transportDetails(info),
      resumed: false,
      resumable: false,
      resume_token: null,
    };
  }

  /** {@inheritDoc TransportHandler.onMessage} */
  onMessage(message: WampMessage): void {
    if (this.#state === "closed") return;
    countWampMessage("in", message[0]);
    try {
      this.#dispatch(checkIncoming(message));
    } catch (error) {
      this.#fail(error, message);
    }
  }

  /** {@inheritDoc TransportHandler.onProtocolError} */
  onProtocolError(reason: string): void {
    this.protocolViolation(reason);
  }

  /** {@inheritDoc TransportHandler.onClose} */
  onClose(): void {
    if (this.#state === "closed") return;
    this.#leaveRealm();
    this.#state = "closed";
    clearTimeout(this.#goodbyeTimer);
    this.#host.detached(this);
  }

  /**
   * Sends ABORT `wamp.error.protocol_violation` with `reason`, leaves the
   * realm and closes the transport.
   */
  protocolViolation(reason: string): void {
    this.#abort(WAMP_ERRORS.PROTOCOL_VIOLATION, reason);
  }

  /**
   * Ends an established session from the router side: GOODBYE with
   * `reason`, leave the realm, then close the transport when the peer
   * answers GOODBYE (or after a short wait). A session in the middle of
   * its handshake gets ABORT with `reason`; one that never sent HELLO is
   * just closed.
   */
  shutdown(reason: string, message?: string): void {
    if (this.#state === "closed" || this.#state === "closing") return;
    // The WebSocket then closes with 1001 "going away", not 1000.
    this.#goingAway = true;
    if (this.#state === "authenticating" || this.#state === "challenged") {
      this.#abort(reason, message ?? "The session was closed by the router");
      return;
    }
    if (this.#state !== "established") {
      this.#closeTransport();
      return;
    }
    this.send([T.GOODBYE, message === undefined ? {} : { message }, reason]);
    this.#leaveRealm();
    this.#state = "closing";
    this.#goodbyeTimer = setTimeout(
      () => this.#closeTransport(),
      GOODBYE_WAIT_MS,
    );
  }

  /** Sends ERROR for request `requestId` of type `requestType`. */
  sendError(requestType: number, requestId: number, error: WampError): void {
    this.send(
      withPayload(
        [T.ERROR, requestType, requestId, {}, error.uri],
        error.args,
        error.kwargs,
      ),
    );
  }

  /** Reports an error thrown while handling `message`. */
  #fail(error: unknown, message: WampMessage): void {
    if (error instanceof ProtocolViolationError) {
      this.protocolViolation(error.message);
      return;
    }
    const code = message[0] as number;
    const requestId = message[1] as number;
    if (error instanceof WampError) {
      if (
        code === T.PUBLISH &&
        !(isDict(message[2]) && message[2].acknowledge === true)
      ) return;
      this.sendError(code, requestId, error);
      return;
    }
    this.#host.logger.error(
      `Session ${this.id} failed to handle ${messageName(code)}: ${
        error instanceof Error ? error.stack ?? error.message : String(error)
      }`,
    );
    if (this.#state === "established" && code !== T.YIELD && code !== T.ERROR) {
      this.sendError(
        code,
        requestId,
        new WampError(WAMP_ERRORS.RUNTIME_ERROR, ["Internal router error"]),
      );
    }
  }

  /**
   * Handles an error from a continuation (after asynchronous
   * authorization) the same way as one thrown synchronously.
   */
  reportAsyncError(error: unknown, message: WampMessage): void {
    if (this.#state === "established") this.#fail(error, message);
  }

  #dispatch(message: IncomingMessage): void {
    const code = message[0];
    switch (this.#state) {
      case "established":
        return this.#dispatchEstablished(message);
      case "initial":
        if (message[0] === T.HELLO) return this.#hello(message);
        break;
      case "challenged":
        if (message[0] === T.AUTHENTICATE) return this.#authenticate(message);
        break;
      case "closing":
        if (code === T.GOODBYE) this.#closeTransport();
        return;
      case "authenticating":
        break;
    }
    if (code === T.ABORT) return this.#closeTransport();
    throw new ProtocolViolationError(
      `Received ${messageName(code)} ${
        this.#state === "initial"
          ? "before the session was established"
          : "during authentication"
      }`,
    );
  }

  #dispatchEstablished(message: IncomingMessage): void {
    switch (message[0]) {
      case T.GOODBYE:
        this.send([T.GOODBYE, {}, WAMP_ERRORS.GOODBYE_AND_OUT]);
        this.#leaveRealm();
        this.#state = "initial";
        return;
      case T.ABORT:
        return this.#closeTransport();
      default:
        return this.realm!.dispatch(this, message);
    }
  }

  #hello(message: HelloMessage): void {
    const hello = readHello(message);
    this.#features = hello.features;
    const method = hello.authmethods.map((m) => this.#authMethods.get(m))
      .find((m) => m !== undefined);
    if (method === undefined) {
      this.#abort(
        WAMP_ERRORS.NO_AUTH_METHOD,
        `Cannot authenticate using any of the offered authmethods ${
          JSON.stringify(hello.authmethods)
        }`,
      );
      return;
    }
    this.#id = this.#host.newSessionId();
    this.#state = "authenticating";
    const { realm, authid, authrole, authextra } = hello;
    this.#await(() => {
      this.#authenticator = method.start();
      return this.#authenticator.hello({
        realm,
        sessionId: this.id,
        transport: this.transport.info,
        ...(authid === undefined ? {} : { authid }),
        ...(authrole === undefined ? {} : { authrole }),
        ...(authextra === undefined ? {} : { authextra }),
      });
    });
  }

  #authenticate(message: AuthenticateMessage): void {
    const [, signature, extra] = message;
    this.#state = "authenticating";
    this.#await(() => this.#authenticator!.authenticate(signature, extra));
  }

  /** Runs one authenticator step; a throw counts as a failed step. */
  #await(step: () => Promise<AuthResult>): void {
    let promise: Promise<AuthResult>;
    try {
      promise = step();
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (result) => this.#onAuthResult(result),
      (error) => {
        this.#host.logger.warn(
          `Authentication of session ${this.id} failed: ${String(error)}`,
        );
        if (this.#state === "authenticating") {
          this.#abort(
            WAMP_ERRORS.AUTHENTICATION_FAILED,
            "Authentication failed",
          );
        }
      },
    );
  }

  #onAuthResult(result: AuthResult): void {
    if (this.#state !== "authenticating") return;
    if (result.kind === "challenge") {
      this.#state = "challenged";
      this.send([T.CHALLENGE, this.#authenticator!.method, result.extra]);
    } else if (result.kind === "deny") {
      this.#abort(result.uri, result.message);
    } else this.#welcome(result);
  }

  #welcome(result: AuthResult & { kind: "welcome" }): void {
    const realm = this.#host.realm(result.realm);
    if (realm === undefined) {
      this.#abort(
        WAMP_ERRORS.NO_SUCH_REALM,
        `No realm "${result.realm}" exists on this router`,
      );
      return;
    }
    const role = realm.role(result.authrole);
    if (role === undefined) {
      this.#abort(
        WAMP_ERRORS.NO_SUCH_ROLE,
        `No role "${result.authrole}" exists on realm "${result.realm}"`,
      );
      return;
    }
    this.#identity = {
      authid: result.authid,
      authrole: result.authrole,
      authmethod: result.authmethod,
      authprovider: result.authprovider,
      authextra: {
        ...(result.authextra ?? {}),
        x_cb_node: this.#host.nodeId,
        x_cb_worker: "worker001",
        x_cb_peer: this.transport.info.peer,
        x_cb_pid: Deno.pid,
      },
    };
    this.#role = role;
    this.#realm = realm;
    this.#state = "established";
    this.#authenticator = undefined;
    this.#joinedAt = new Date().toISOString();
    this.send([T.WELCOME, this.id, {
      realm: realm.name,
      authid: this.authid,
      authrole: this.authrole,
      authmethod: this.authmethod,
      authprovider: this.authprovider,
      authextra: this.authextra,
      roles: realm.features,
    }]);
    realm.join(this);
    if (this.#host.logger.enabled("debug")) {
      this.#host.logger.debug(
        `Session ${this.id} joined realm "${realm.name}" as "${this.authid}" (role "${this.authrole}", ${this.authmethod}) from ${this.transport.info.peer}`,
      );
    }
  }

  #abort(uri: string, reason: string): void {
    if (this.#state === "closed") return;
    const logger = this.#host.logger;
    // Any other ABORT refuses a join (realm, role, authentication): an
    // operator wants to see those, with the reason.
    const level = uri === WAMP_ERRORS.PROTOCOL_VIOLATION ? "info" : "warn";
    if (logger.enabled(level)) {
      logger.log(
        level,
        `ABORT ${uri} to ${this.transport.info.peer}${
          this.id === 0 ? "" : ` (session ${this.id})`
        }: ${reason}`,
      );
    }
    this.#leaveRealm();
    this.send([T.ABORT, { message: reason }, uri]);
    this.#closeTransport();
  }

  #leaveRealm(): void {
    const realm = this.realm;
    if (realm === undefined) return;
    this.#realm = undefined;
    if (this.#state === "established") this.#state = "initial";
    realm.leave(this);
    if (this.#host.logger.enabled("debug")) {
      this.#host.logger.debug(
        `Session ${this.id} left realm "${realm.name}"`,
      );
    }
    this.#role = undefined;
    this.authorizationCache.clear();
  }

  #goingAway = false;

  #closeTransport(): void {
    if (this.#state === "closed") return;
    this.#leaveRealm();
    this.#state = "closed";
    clearTimeout(this.#goodbyeTimer);
    if (this.#goingAway) this.transport.close(1001, "server shutting down");
    else this.transport.close();
    this.#host.detached(this);
  }
}
