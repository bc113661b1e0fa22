/**
 * The `auth` dictionary of a WAMP transport or websocket path, mirroring
 * Crossbar's JSON (reference §5.3).
 *
 * @module
 */

/** `{"type": "dynamic", "authenticator": uri}`: ask a WAMP procedure. */
export interface DynamicAuthConfig {
  /** Ask a WAMP procedure. */
  type: "dynamic";
  /** Procedure called as `(realm, authid, details)`. */
  authenticator: string;
  /** Realm the authenticator is registered on. @default {the HELLO realm} */
  "authenticator-realm"?: string | undefined;
}

/** Static anonymous access. */
export interface StaticAnonymousConfig {
  /** Fixed identity. */
  type: "static";
  /** Role assigned. @default {"anonymous"} */
  role?: string | undefined;
  /** Fixed authid; random when absent. */
  authid?: string | undefined;
  /** Realm to join instead of the HELLO realm. */
  realm?: string | undefined;
}

/** One WAMP-Ticket principal. */
export interface TicketPrincipal {
  /** The ticket; `${VAR}` reads the environment variable VAR at startup. */
  ticket: string;
  /** Role assigned on success. */
  role: string;
  /** Realm to join instead of the HELLO realm. */
  realm?: string | undefined;
}

/** Static WAMP-Ticket. */
export interface StaticTicketConfig {
  /** Principals listed in the config. */
  type: "static";
  /** authid → principal. */
  principals: Record<string, TicketPrincipal>;
}

/** One WAMP-CRA user. */
export interface WampCraUser {
  /**
   * The HMAC key; `${VAR}` reads the environment variable VAR at startup.
   * For a salted user it is the derived key, base64(PBKDF2-SHA256(password,
   * salt, iterations, keylen)), as in Crossbar: the client derives it from
   * the password.
   */
  secret: string;
  /** Role assigned on success. */
  role: string;
  /** Salt sent in CHALLENGE; marks `secret` as a derived key. */
  salt?: string | undefined;
  /** PBKDF2 iterations. @default {1000} */
  iterations?: number | undefined;
  /** Derived key length in bytes. @default {32} */
  keylen?: number | undefined;
  /** Realm to join instead of the HELLO realm. */
  realm?: string | undefined;
}

/** Static WAMP-CRA. */
export interface StaticWampCraConfig {
  /** Users listed in the config. */
  type: "static";
  /** authid → user. */
  users: Record<string, WampCraUser>;
}

/** One WAMP-Cryptosign principal. */
export interface CryptosignPrincipal {
  /** Ed25519 public keys, hex-encoded (64 hex digits each). */
  "authorized_keys": string[];
  /** Role assigned on success. */
  role: string;
  /** Realm to join instead of the HELLO realm. */
  realm?: string | undefined;
}

/** Static WAMP-Cryptosign. */
export interface StaticCryptosignConfig {
  /** Principals listed in the config. */
  type: "static";
  /** authid → principal. */
  principals: Record<string, CryptosignPrincipal>;
}

/** A transport's `auth`: method name → method config. */
export interface AuthConfig {
  /** Anonymous access (role `anonymous` unless configured). */
  anonymous?: StaticAnonymousConfig | DynamicAuthConfig | undefined;
  /** WAMP-Ticket. */
  ticket?: StaticTicketConfig | DynamicAuthConfig | undefined;
  /** WAMP-CRA, plain or salted. */
  wampcra?: StaticWampCraConfig | DynamicAuthConfig | undefined;
  /** WAMP-Cryptosign (Ed25519). */
  cryptosign?: StaticCryptosignConfig | DynamicAuthConfig | undefined;
  /** Other Crossbar methods (`tls`, `cookie`, `scram`, …) are not supported. */
  [method: string]: unknown;
}

/** The `auth` config cannot be used (bad shape, missing `${VAR}`). */
export class AuthConfigError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong, naming the method and key.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AuthConfigError";
  }
}
