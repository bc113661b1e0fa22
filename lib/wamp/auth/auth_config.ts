/**
 * The `auth` dictionary of a WAMP transport or websocket path (Crossbar's
 * JSON, reference §5.3), as the config schema outputs it: its keys, checks
 * and defaults live in `lib/config/_schema/auth.ts` only. These are the
 * schema's types under the names the auth methods use.
 *
 * @module
 */
import type {
  AnonymousAuthConfig,
  AuthConfig as SchemaAuthConfig,
  CryptosignAuthConfig,
  DynamicAuthConfig as SchemaDynamicAuthConfig,
  TicketAuthConfig,
  WampCraAuthConfig,
} from "../../config/mod.ts";

/** A transport's `auth`: method name → method config. */
export type AuthConfig = SchemaAuthConfig;

/** `{"type": "dynamic", "authenticator": uri}`: ask a WAMP procedure. */
export type DynamicAuthConfig = SchemaDynamicAuthConfig;

/** Static anonymous access (`role` defaults to `"anonymous"` in the schema). */
export type StaticAnonymousConfig = Extract<
  AnonymousAuthConfig,
  { type: "static" }
>;

/** Static WAMP-Ticket: authid → principal. */
export type StaticTicketConfig = Extract<TicketAuthConfig, { type: "static" }>;

/** One WAMP-Ticket principal (the ticket may be `${VAR}`). */
export type TicketPrincipal = StaticTicketConfig["principals"][string];

/**
 * Static WAMP-CRA: authid → user. A salted user's `secret` is the derived
 * key, base64(PBKDF2-SHA256(password, salt, iterations, keylen)), as in
 * Crossbar: the client derives it from the password.
 */
export type StaticWampCraConfig = Extract<
  WampCraAuthConfig,
  { type: "static" }
>;

/** One WAMP-CRA user. */
export type WampCraUser = StaticWampCraConfig["users"][string];

/** Static WAMP-Cryptosign: authid → authorized Ed25519 keys (hex). */
export type StaticCryptosignConfig = Extract<
  CryptosignAuthConfig,
  { type: "static" }
>;

/** One WAMP-Cryptosign principal. */
export type CryptosignPrincipal = StaticCryptosignConfig["principals"][string];

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
