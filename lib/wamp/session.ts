/**
 * One router-side WAMP session per attached transport: the handshake state
 * machine (HELLO → CHALLENGE/AUTHENTICATE → WELCOME | ABORT), the dispatch
 * of established-session messages to the realm's broker and dealer, and
 * GOODBYE in both directions.
 *
 * @module
 */
import type {
  Authenticator,
  AuthMethod,
  AuthResult,
} from "./auth/authenticator.ts";
import type { Authorization, Role } from "./authorization.ts";
import { ProtocolViolationError, WAMP_ERRORS, WampError } from "./errors.ts";
import { IdCounter } from "./ids.ts";
import {
  checkIncoming,
  type Dict,
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
import type { Invocation } from "./dealer.ts";
import type { Realm } from "./realm.ts";
import type { Subscription } from "./broker.ts";
import type { Registration } from "./dealer.ts";

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
export class Session implements TransportHandler {
  /** The connection. */
  readonly transport: Transport;
  /** Session id (0 before HELLO). */
  id = 0;
  /** The joined realm, while established. */
  realm: Realm | undefined;
  /** Identity, set at WELCOME. */
  authid = "";
  /** Role name, set at WELCOME. */
  authrole = "";
  /** Auth method used. */
  authmethod = "";
  /** Auth provider (`static`, `dynamic`, …). */
  authprovider = "";
  /** Extra identity data from the authenticator. */
  authextra: Dict = {};
  /** The role object, while established. */
  role: Role | undefined;
  /** Cache of dynamic authorization decisions marked `cache`. */
  readonly authorizationCache: Map<string, Authorization> = new Map();
  /** Subscriptions this session holds. */
  readonly subscriptions: Set<Subscription> = new Set();
  /** Registrations this session holds. */
  readonly registrations: Set<Registration> = new Set();
  /** Pending invocations sent to this session, by invocation request id. */
  readonly invocations: Map<number, Invocation> = new Map();
  /** Pending calls made by this session, by its CALL request id. */
  readonly calls: Map<number, Invocation> = new Map();
  /** Whether the peer's callee role announced call_canceling. */
  calleeCanCancel = false;
  /** Whether the peer's callee role announced registration_revocation. */
  calleeRevocation = false;
  /** Whether the peer's subscriber role announced subscription_revocation. */
  subscriberRevocation = false;
  /** Hidden from the session meta API (the router's own service session). */
  hidden = false;
  /** When the session joined (ISO time). */
  joinedAt = "";

  readonly #host: SessionHost;
  readonly #authMethods: ReadonlyMap<string, AuthMethod>;
  readonly #requestIds = new IdCounter();
  #state: State = "initial";
  #authenticator: Authenticator | undefined;
  #goodbyeTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param transport The connection.
   * @param host The router.
   * @param authMethods Methods offered on this transport.
   */
  constructor(
    transport: Transport,
    host: SessionHost,
    authMethods: ReadonlyMap<string, AuthMethod>,
  ) {
    this.transport = transport;
    this.#host = host;
    this.#authMethods = authMethods;
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

  /** Next router-generated request id in this session's scope. */
  nextRequestId(): number {
    return this.#requestIds.next();
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
    let code: number;
    try {
      code = checkIncoming(message);
      this.#dispatch(code, message);
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

  #dispatch(code: number, message: WampMessage): void {
    switch (this.#state) {
      case "established":
        return this.#dispatchEstablished(code, message);
      case "initial":
        if (code === T.HELLO) return this.#hello(message);
        break;
      case "challenged":
        if (code === T.AUTHENTICATE) return this.#authenticate(message);
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

  #dispatchEstablished(code: number, message: WampMessage): void {
    const realm = this.realm!;
    switch (code) {
      case T.PUBLISH:
        return realm.broker.publish(this, message);
      case T.SUBSCRIBE:
        return realm.broker.subscribe(this, message);
      case T.UNSUBSCRIBE:
        return realm.broker.unsubscribe(this, message);
      case T.CALL:
        return realm.dealer.call(this, message);
      case T.YIELD:
        return realm.dealer.yield(this, message);
      case T.CANCEL:
        return realm.dealer.cancel(this, message);
      case T.REGISTER:
        return realm.dealer.register(this, message);
      case T.UNREGISTER:
        return realm.dealer.unregister(this, message);
      case T.ERROR:
        if (message[1] !== T.INVOCATION) {
          throw new ProtocolViolationError(
            `Received ERROR for ${
              messageName(message[1])
            }; a client may only send ERROR for INVOCATION`,
          );
        }
        return realm.dealer.invocationError(this, message);
      case T.GOODBYE:
        this.send([T.GOODBYE, {}, WAMP_ERRORS.GOODBYE_AND_OUT]);
        this.#leaveRealm();
        this.#state = "initial";
        return;
      case T.ABORT:
        return this.#closeTransport();
      default:
        throw new ProtocolViolationError(
          `Received ${messageName(code)} on an established session`,
        );
    }
  }

  #hello(message: WampMessage): void {
    const hello = readHello(message);
    this.calleeCanCancel = hello.features.calleeCanCancel;
    this.calleeRevocation = hello.features.calleeRevocation;
    this.subscriberRevocation = hello.features.subscriberRevocation;
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
    this.id = this.#host.newSessionId();
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

  #authenticate(message: WampMessage): void {
    this.#state = "authenticating";
    this.#await(() =>
      this.#authenticator!.authenticate(
        message[1] as string,
        message[2] as Dict,
      )
    );
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
    this.authid = result.authid;
    this.authrole = result.authrole;
    this.authmethod = result.authmethod;
    this.authprovider = result.authprovider;
    this.authextra = {
      ...(result.authextra ?? {}),
      x_cb_node: this.#host.nodeId,
      x_cb_worker: "worker001",
      x_cb_peer: this.transport.info.peer,
      x_cb_pid: Deno.pid,
    };
    this.role = role;
    this.realm = realm;
    this.#state = "established";
    this.#authenticator = undefined;
    this.joinedAt = new Date().toISOString();
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
    this.realm = undefined;
    if (this.#state === "established") this.#state = "initial";
    realm.leave(this);
    if (this.#host.logger.enabled("debug")) {
      this.#host.logger.debug(
        `Session ${this.id} left realm "${realm.name}"`,
      );
    }
    this.role = undefined;
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
