/**
 * WAMP-CRA (challenge-response) authentication. The router sends a JSON
 * challenge; the client answers base64(HMAC-SHA256(key, challenge)) —
 * exactly what autobahn's `auth_cra.sign` computes.
 *
 * Salted users, as in Crossbar: the configured `secret` IS the derived key,
 * base64(PBKDF2-SHA256(password, salt, iterations, keylen)) (autobahn's
 * `auth_cra.derive_key`; {@link deriveWampCraKey} here), so the password
 * itself is never stored on the router. CHALLENGE.extra carries `salt`,
 * `iterations` and `keylen`; the client derives the same key from the
 * password, and the router signs with the configured secret as it is.
 *
 * @module
 */
import type {
  Authenticator,
  AuthMethod,
  AuthResult,
  HelloInfo,
} from "./authenticator.ts";
import type {
  DynamicAuthConfig,
  StaticWampCraConfig,
  WampCraUser,
} from "./auth_config.ts";
import {
  authenticatorDetails,
  callAuthenticator,
  constantTimeEqual,
  deny,
  type DynamicSource,
  isResult,
  type Principal,
  requireCaller,
  type SecretAuthOptions,
  secretFromEnv,
  UNEXPECTED_AUTHENTICATE,
  welcome,
} from "./_common.ts";

const METHOD = "wampcra";
const utf8 = new TextEncoder();

/** Default PBKDF2 iterations of salted WAMP-CRA. */
export const WAMPCRA_DEFAULT_ITERATIONS = 1000;
/** Default derived key length in bytes of salted WAMP-CRA. */
export const WAMPCRA_DEFAULT_KEYLEN = 32;

/**
 * Derives the salted WAMP-CRA key: base64 of PBKDF2-HMAC-SHA256.
 *
 * @param secret The user's password.
 * @param salt The salt, as a string.
 * @param options Iterations (default 1000) and key length in bytes (default 32).
 * @returns The key as base64 text (used as the HMAC key's UTF-8 bytes): what
 *   a salted user's `secret` in the config holds.
 */
export async function deriveWampCraKey(
  secret: string,
  salt: string,
  options: { iterations?: number | undefined; keylen?: number | undefined } =
    {},
): Promise<string> {
  const base = await crypto.subtle.importKey(
    "raw",
    utf8.encode(secret),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    {
      name: "PBKDF2",
      hash: "SHA-256",
      salt: utf8.encode(salt),
      iterations: options.iterations ?? WAMPCRA_DEFAULT_ITERATIONS,
    },
    base,
    (options.keylen ?? WAMPCRA_DEFAULT_KEYLEN) * 8,
  );
  return new Uint8Array(bits).toBase64();
}

/**
 * Signs a WAMP-CRA challenge: base64(HMAC-SHA256(key, challenge)).
 *
 * @param key The secret or derived key.
 * @param challenge The challenge string from CHALLENGE.extra.
 * @returns The signature to send in AUTHENTICATE.
 */
export async function signWampCra(
  key: string,
  challenge: string,
): Promise<string> {
  const hmacKey = await crypto.subtle.importKey(
    "raw",
    utf8.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", hmacKey, utf8.encode(challenge));
  return new Uint8Array(mac).toBase64();
}

/** Options for {@link wampcraAuthMethod}. */
export type WampCraAuthOptions = SecretAuthOptions;

/**
 * Creates the `wampcra` method from its config.
 *
 * @param config Static users or a dynamic authenticator (which returns
 *   `{secret, role, salt?, iterations?, keylen?, authid?, realm?}`).
 * @param options The procedure caller (dynamic) and environment reader.
 * @returns The method.
 * @throws {AuthConfigError} When a `${VAR}` secret's variable is unset.
 */
export function wampcraAuthMethod(
  config: StaticWampCraConfig | DynamicAuthConfig,
  options: WampCraAuthOptions = {},
): AuthMethod {
  if (config.type === "dynamic") {
    const caller = requireCaller(METHOD, options.caller);
    return {
      method: METHOD,
      start: () => new WampCra(undefined, { config, caller }),
    };
  }
  const getEnv = options.getEnv ?? ((name: string) => Deno.env.get(name));
  const users = new Map<string, WampCraUser>();
  for (const [authid, user] of Object.entries(config.users)) {
    users.set(authid, {
      ...user,
      secret: secretFromEnv(user.secret, `secret of user "${authid}"`, getEnv),
    });
  }
  return { method: METHOD, start: () => new WampCra(users, undefined) };
}

interface Pending {
  hello: HelloInfo;
  principal: Principal;
  provider: string;
  user: WampCraUser;
  challenge: string;
}

function userFromFields(
  fields: Readonly<Record<string, unknown>>,
): WampCraUser | undefined {
  const { secret, role, salt, iterations, keylen } = fields;
  if (typeof secret !== "string" || typeof role !== "string") return undefined;
  const user: WampCraUser = { secret, role };
  if (typeof salt === "string") user.salt = salt;
  const num = (v: unknown) =>
    typeof v === "number" && Number.isInteger(v) && v > 0;
  if (num(iterations)) user.iterations = iterations as number;
  if (num(keylen)) user.keylen = keylen as number;
  return user;
}

class WampCra implements Authenticator {
  readonly method = METHOD;
  #users: ReadonlyMap<string, WampCraUser> | undefined;
  #dynamic: DynamicSource | undefined;
  #pending: Pending | undefined;

  constructor(
    users: ReadonlyMap<string, WampCraUser> | undefined,
    dynamic: DynamicSource | undefined,
  ) {
    this.#users = users;
    this.#dynamic = dynamic;
  }

  async hello(info: HelloInfo): Promise<AuthResult> {
    if (info.authid === undefined) {
      return deny("WAMP-CRA requires an authid in HELLO");
    }
    let user: WampCraUser | undefined;
    let principal: Principal;
    let provider: string;
    if (this.#dynamic !== undefined) {
      const { config, caller } = this.#dynamic;
      const outcome = await callAuthenticator(
        caller,
        config,
        info,
        authenticatorDetails(info, METHOD),
      );
      if (isResult(outcome)) return outcome;
      user = userFromFields(outcome.fields);
      if (user === undefined) {
        return deny(
          `dynamic authenticator "${config.authenticator}" returned no secret for "${info.authid}"`,
          "wamp.error.authentication_failed",
        );
      }
      principal = outcome;
      provider = "dynamic";
    } else {
      user = this.#users?.get(info.authid);
      if (user === undefined) {
        return deny(`no user with authid "${info.authid}" exists`);
      }
      principal = { role: user.role, realm: user.realm, fields: {} };
      provider = "static";
    }
    const challenge = JSON.stringify({
      authid: principal.authid ?? info.authid,
      authrole: principal.role,
      authmethod: METHOD,
      authprovider: provider,
      nonce: crypto.getRandomValues(new Uint8Array(16)).toBase64(),
      timestamp: new Date().toISOString(),
      session: info.sessionId,
    });
    this.#pending = { hello: info, principal, provider, user, challenge };
    const extra: Record<string, unknown> = { challenge };
    if (user.salt !== undefined) {
      extra.salt = user.salt;
      extra.iterations = user.iterations ?? WAMPCRA_DEFAULT_ITERATIONS;
      extra.keylen = user.keylen ?? WAMPCRA_DEFAULT_KEYLEN;
    }
    return { kind: "challenge", extra };
  }

  async authenticate(signature: string): Promise<AuthResult> {
    const pending = this.#pending;
    if (pending === undefined) return UNEXPECTED_AUTHENTICATE;
    this.#pending = undefined;
    // Salted or not, the configured secret is the HMAC key (see above).
    const expected = await signWampCra(pending.user.secret, pending.challenge);
    if (!constantTimeEqual(signature, expected)) {
      return deny("WAMP-CRA signature is invalid");
    }
    return welcome(pending.hello, pending.principal, METHOD, pending.provider);
  }
}
