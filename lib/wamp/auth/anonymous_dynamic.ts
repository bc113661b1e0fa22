/**
 * Anonymous authentication decided by a dynamic authenticator (Crossbar's
 * `"anonymous": {"type": "dynamic", "authenticator": uri}`). Static
 * anonymous is `anonymousAuthMethod` in `anonymous.ts`.
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
import type { DynamicAuthConfig } from "./auth_config.ts";
import {
  authenticatorDetails,
  callAuthenticator,
  isResult,
  UNEXPECTED_AUTHENTICATE,
  welcome,
} from "./_common.ts";

const METHOD = "anonymous";

function randomAuthid(): string {
  const hex = crypto.getRandomValues(new Uint8Array(12)).toHex().toUpperCase();
  return hex.match(/.{4}/g)!.join("-");
}

/**
 * Creates the dynamic `anonymous` method: the authenticator returns the role
 * (and optionally authid/realm/extra); without an authid a random one is
 * assigned.
 *
 * @param config The authenticator URI and realm.
 * @param caller Calls the authenticator procedure.
 * @returns The method.
 */
export function dynamicAnonymousAuthMethod(
  config: DynamicAuthConfig,
  caller: ProcedureCaller,
): AuthMethod {
  return {
    method: METHOD,
    start: (): Authenticator => ({
      method: METHOD,
      async hello(info: HelloInfo): Promise<AuthResult> {
        const outcome = await callAuthenticator(
          caller,
          config,
          info,
          authenticatorDetails(info, METHOD),
        );
        if (isResult(outcome)) return outcome;
        return welcome(info, outcome, METHOD, "dynamic", randomAuthid());
      },
      authenticate: () => Promise.resolve(UNEXPECTED_AUTHENTICATE),
    }),
  };
}
