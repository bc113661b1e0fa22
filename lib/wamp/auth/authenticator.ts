/**
 * The seam between the router's session handshake and the authentication
 * methods configured on a transport (`auth` in Crossbar's config).
 *
 * The router picks the first method in HELLO's `authmethods` (default
 * `["anonymous"]`) that the transport offers, calls {@link Authenticator.hello},
 * and then either sends CHALLENGE and waits for AUTHENTICATE
 * ({@link Authenticator.authenticate}), sends WELCOME, or sends ABORT.
 *
 * @module
 */
import type { TransportInfo } from "../transport.ts";

/** What the router knows when a HELLO arrives. */
export interface HelloInfo {
  /** The realm the client asked for. */
  readonly realm: string;
  /** HELLO.Details.authid, when given. */
  readonly authid?: string;
  /** HELLO.Details.authextra, when given. */
  readonly authextra?: Readonly<Record<string, unknown>>;
  /** HELLO.Details.authrole, when given. */
  readonly authrole?: string;
  /** The session id the router will assign if the session is welcomed. */
  readonly sessionId: number;
  /** The connection. */
  readonly transport: TransportInfo;
}

/** The outcome of one authentication step. */
export type AuthResult =
  | {
    /** Send CHALLENGE with these extras and wait for AUTHENTICATE. */
    readonly kind: "challenge";
    readonly extra: Readonly<Record<string, unknown>>;
  }
  | {
    /** The client is who it says: WELCOME it with this identity. */
    readonly kind: "welcome";
    /** Realm to join (an authenticator may assign one). */
    readonly realm: string;
    readonly authid: string;
    readonly authrole: string;
    readonly authmethod: string;
    /** `"static"`, `"dynamic"`, … as Crossbar reports it. */
    readonly authprovider: string;
    readonly authextra?: Readonly<Record<string, unknown>>;
  }
  | {
    /** Refuse: ABORT with this URI (e.g. `wamp.error.not_authorized`). */
    readonly kind: "deny";
    readonly uri: string;
    readonly message: string;
  };

/** One handshake attempt with one method. Created per HELLO. */
export interface Authenticator {
  /** The WAMP authmethod name, e.g. `"ticket"`. */
  readonly method: string;
  /** Handles HELLO. */
  hello(info: HelloInfo): Promise<AuthResult>;
  /** Handles AUTHENTICATE after a challenge. */
  authenticate(
    signature: string,
    extra: Readonly<Record<string, unknown>>,
  ): Promise<AuthResult>;
}

/** A method configured on a transport; starts one authenticator per HELLO. */
export interface AuthMethod {
  /** The WAMP authmethod name, e.g. `"ticket"`. */
  readonly method: string;
  /** Starts a fresh handshake. */
  start(): Authenticator;
}

/**
 * Lets a dynamic authenticator call a procedure on the node's router
 * (Crossbar's `authenticator` URI in `"type": "dynamic"`).
 */
export interface ProcedureCaller {
  /**
   * Calls `procedure` on `realm` as the trusted router itself and resolves
   * with the result's first positional value (or kwargs when there are no
   * positional values). Rejects with the WAMP error.
   */
  callProcedure(
    realm: string,
    procedure: string,
    args: unknown[],
    kwargs?: Record<string, unknown>,
  ): Promise<unknown>;
}
