/**
 * The `anonymous` authentication method: every client is welcomed with a
 * fixed role and a given or random authid, as Crossbar does when a
 * transport has no `auth` configured.
 *
 * @module
 */
import type { AuthMethod, AuthResult, HelloInfo } from "./authenticator.ts";
import { WAMP_ERRORS } from "../errors.ts";

/** Options for {@link anonymousAuthMethod}. */
export interface AnonymousAuthOptions {
  /** Role to assign. @default {"anonymous"} */
  role?: string;
  /** Authid to assign. @default {a random id like `JMCH-4T94-KS9C-F7GX`} */
  authid?: string;
  /** Realm to assign instead of the one in HELLO. */
  realm?: string;
}

const ALPHABET = "3479ACEFHJKLMNPRTUVWXY";

/** A random authid in Crossbar's `XXXX-XXXX-XXXX-XXXX` style. */
function randomAuthid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let out = "";
  for (let i = 0; i < 16; i++) {
    if (i > 0 && i % 4 === 0) out += "-";
    out += ALPHABET[bytes[i]! % ALPHABET.length];
  }
  return out;
}

/**
 * Creates the anonymous method.
 *
 * @param options Role, authid and realm to assign.
 * @returns The method, to put in a transport's method map under
 * `"anonymous"`.
 *
 * @example Offer anonymous access
 * ```ts
 * import { anonymousAuthMethod } from "./anonymous.ts";
 * const methods = new Map([["anonymous", anonymousAuthMethod()]]);
 * if (methods.get("anonymous")?.method !== "anonymous") throw new Error();
 * ```
 */
export function anonymousAuthMethod(
  options: AnonymousAuthOptions = {},
): AuthMethod {
  const role = options.role ?? "anonymous";
  return {
    method: "anonymous",
    start: () => ({
      method: "anonymous",
      hello: (info: HelloInfo): Promise<AuthResult> =>
        Promise.resolve({
          kind: "welcome",
          realm: options.realm ?? info.realm,
          authid: options.authid ?? randomAuthid(),
          authrole: role,
          authmethod: "anonymous",
          authprovider: "static",
        }),
      authenticate: (): Promise<AuthResult> =>
        Promise.resolve({
          kind: "deny",
          uri: WAMP_ERRORS.PROTOCOL_VIOLATION,
          message: "Anonymous authentication takes no AUTHENTICATE",
        }),
    }),
  };
}
