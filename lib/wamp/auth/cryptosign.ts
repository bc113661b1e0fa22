/**
 * WAMP-Cryptosign authentication (Ed25519). HELLO carries
 * `authextra.pubkey` (hex); the router challenges with 32 random bytes
 * (hex) and `channel_binding: null`; AUTHENTICATE carries
 * hex(signature ‖ challenge) — 64 + 32 bytes, as autobahn's
 * `sign_challenge` produces. Verified with WebCrypto Ed25519.
 *
 * @module
 */
import type {
  Authenticator,
  AuthMethod,
  AuthResult,
  HelloInfo,
  ProcedureCaller,
} from "./authenticator.ts";
import type {
  CryptosignPrincipal,
  DynamicAuthConfig,
  StaticCryptosignConfig,
} from "./auth_config.ts";
import { AuthConfigError } from "./auth_config.ts";
import {
  authenticatorDetails,
  callAuthenticator,
  deny,
  type DynamicSource,
  isResult,
  type Principal,
  requireCaller,
  UNEXPECTED_AUTHENTICATE,
  welcome,
} from "./_common.ts";

const METHOD = "cryptosign";
const PUBKEY_REGEXP = /^[0-9a-fA-F]{64}$/;
const SIGNATURE_REGEXP = /^[0-9a-fA-F]{128}([0-9a-fA-F]{64})?$/;

/** Options for {@link cryptosignAuthMethod}. */
export interface CryptosignAuthOptions {
  /** Needed for `"type": "dynamic"`. */
  caller?: ProcedureCaller | undefined;
}

interface KeyOwner {
  authid: string;
  principal: CryptosignPrincipal;
}

/**
 * Creates the `cryptosign` method from its config.
 *
 * @param config Static principals with `authorized_keys`, or a dynamic
 *   authenticator (returns `{role, pubkey?, authid?, realm?}`; a `pubkey`
 *   must equal the client's).
 * @param options The procedure caller (dynamic).
 * @returns The method.
 * @throws {AuthConfigError} When an authorized key is not 64 hex digits.
 */
export function cryptosignAuthMethod(
  config: StaticCryptosignConfig | DynamicAuthConfig,
  options: CryptosignAuthOptions = {},
): AuthMethod {
  if (config.type === "dynamic") {
    const caller = requireCaller(METHOD, options.caller);
    return {
      method: METHOD,
      start: () => new Cryptosign(undefined, { config, caller }),
    };
  }
  const owners = new Map<string, KeyOwner>();
  for (const [authid, principal] of Object.entries(config.principals)) {
    for (const key of principal.authorized_keys) {
      if (!PUBKEY_REGEXP.test(key)) {
        throw new AuthConfigError(
          `Cannot read authorized key of principal "${authid}": expected 64 hex digits, got "${key}"`,
        );
      }
      owners.set(key.toLowerCase(), { authid, principal });
    }
  }
  return { method: METHOD, start: () => new Cryptosign(owners, undefined) };
}

interface Pending {
  hello: HelloInfo;
  principal: Principal;
  provider: string;
  pubkey: Uint8Array<ArrayBuffer>;
  challenge: Uint8Array<ArrayBuffer>;
}

class Cryptosign implements Authenticator {
  readonly method = METHOD;
  #owners: ReadonlyMap<string, KeyOwner> | undefined;
  #dynamic: DynamicSource | undefined;
  #pending: Pending | undefined;

  constructor(
    owners: ReadonlyMap<string, KeyOwner> | undefined,
    dynamic: DynamicSource | undefined,
  ) {
    this.#owners = owners;
    this.#dynamic = dynamic;
  }

  async hello(info: HelloInfo): Promise<AuthResult> {
    const pubkey = info.authextra?.pubkey;
    if (typeof pubkey !== "string" || !PUBKEY_REGEXP.test(pubkey)) {
      return deny(
        "WAMP-Cryptosign requires authextra.pubkey (64 hex digits) in HELLO",
      );
    }
    const key = pubkey.toLowerCase();
    const found = this.#dynamic === undefined
      ? this.#staticPrincipal(info, key)
      : await this.#dynamicPrincipal(info, key);
    if (isResult(found)) return found;
    const challenge = crypto.getRandomValues(new Uint8Array(32));
    this.#pending = {
      hello: info,
      principal: found,
      provider: this.#dynamic === undefined ? "static" : "dynamic",
      pubkey: Uint8Array.fromHex(key),
      challenge,
    };
    return {
      kind: "challenge",
      extra: { challenge: challenge.toHex(), channel_binding: null },
    };
  }

  #staticPrincipal(info: HelloInfo, key: string): Principal | AuthResult {
    const owner = this.#owners?.get(key);
    if (owner === undefined) {
      return deny(`no principal with public key "${key}" exists`);
    }
    if (info.authid !== undefined && info.authid !== owner.authid) {
      return deny(
        `public key "${key}" is not authorized for authid "${info.authid}"`,
      );
    }
    return {
      role: owner.principal.role,
      authid: owner.authid,
      realm: owner.principal.realm,
      fields: {},
    };
  }

  async #dynamicPrincipal(
    info: HelloInfo,
    key: string,
  ): Promise<Principal | AuthResult> {
    const { config, caller } = this.#dynamic!;
    const outcome = await callAuthenticator(
      caller,
      config,
      info,
      authenticatorDetails(info, METHOD),
    );
    if (isResult(outcome)) return outcome;
    const returned = outcome.fields.pubkey;
    if (
      returned !== undefined &&
      (typeof returned !== "string" || returned.toLowerCase() !== key)
    ) {
      return deny(
        `public key "${key}" is not the one the authenticator expects`,
      );
    }
    return outcome;
  }

  async authenticate(signature: string): Promise<AuthResult> {
    const pending = this.#pending;
    if (pending === undefined) return UNEXPECTED_AUTHENTICATE;
    this.#pending = undefined;
    if (!SIGNATURE_REGEXP.test(signature)) {
      return deny("WAMP-Cryptosign signature must be 96 bytes, hex-encoded");
    }
    const bytes = Uint8Array.fromHex(signature);
    if (
      bytes.length === 96 &&
      bytes.subarray(64).toHex() !== pending.challenge.toHex()
    ) {
      return deny("WAMP-Cryptosign signature does not carry the challenge");
    }
    if (
      !await verify(pending.pubkey, bytes.subarray(0, 64), pending.challenge)
    ) {
      return deny("WAMP-Cryptosign signature is invalid");
    }
    return welcome(pending.hello, pending.principal, METHOD, pending.provider);
  }
}

async function verify(
  pubkey: Uint8Array<ArrayBuffer>,
  signature: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey(
      "raw",
      pubkey,
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    return await crypto.subtle.verify("Ed25519", key, signature, message);
  } catch {
    return false; // not a valid curve point
  }
}
