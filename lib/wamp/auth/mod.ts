/**
 * Authentication methods of WAMP transports (Crossbar's transport `auth`):
 * anonymous, ticket, wampcra and cryptosign, each static or dynamic.
 *
 * @example Ticket auth from config
 * ```ts
 * import { createAuthMethods } from "./mod.ts";
 * const caller = { callProcedure: () => Promise.reject(new Error("unused")) };
 * const methods = createAuthMethods({
 *   ticket: { type: "static", principals: { joe: { ticket: "s3cret", role: "user" } } },
 * }, caller);
 * const auth = methods.get("ticket")!.start();
 * const transport = { type: "websocket", peer: "tcp4:127.0.0.1:1", serializer: "json", secure: false };
 * const hello = await auth.hello({ realm: "realm1", authid: "joe", sessionId: 1, transport });
 * if (hello.kind !== "challenge") throw new Error();
 * const result = await auth.authenticate("s3cret", {});
 * if (result.kind !== "welcome" || result.authrole !== "user") throw new Error();
 * ```
 *
 * @module
 */
import type { AuthMethod, ProcedureCaller } from "./authenticator.ts";
import {
  type AuthConfig,
  AuthConfigError,
  type DynamicAuthConfig,
  type StaticAnonymousConfig,
  type StaticCryptosignConfig,
  type StaticTicketConfig,
  type StaticWampCraConfig,
} from "./auth_config.ts";
import { anonymousAuthMethod } from "./anonymous.ts";
import { dynamicAnonymousAuthMethod } from "./anonymous_dynamic.ts";
import { ticketAuthMethod } from "./ticket.ts";
import { wampcraAuthMethod } from "./wampcra.ts";
import { cryptosignAuthMethod } from "./cryptosign.ts";

export type * from "./auth_config.ts";
export { AuthConfigError } from "./auth_config.ts";
export { ticketAuthMethod, type TicketAuthOptions } from "./ticket.ts";
export {
  deriveWampCraKey,
  signWampCra,
  wampcraAuthMethod,
  type WampCraAuthOptions,
} from "./wampcra.ts";
export {
  cryptosignAuthMethod,
  type CryptosignAuthOptions,
} from "./cryptosign.ts";
export { dynamicAnonymousAuthMethod } from "./anonymous_dynamic.ts";

/** Options for {@link createAuthMethods}. */
export interface CreateAuthMethodsOptions {
  /** Reads `${VAR}` secrets. @default {Deno.env.get} */
  getEnv?: ((name: string) => string | undefined) | undefined;
}

const SUPPORTED = ["anonymous", "ticket", "wampcra", "cryptosign"];

function typeOf(method: string, value: unknown): "static" | "dynamic" {
  const type = (value as { type?: unknown } | null)?.type;
  if (type === "static" || type === "dynamic") return type;
  throw new AuthConfigError(
    `Cannot configure auth method "${method}": type must be "static" or "dynamic", got ${
      JSON.stringify(type)
    }`,
  );
}

/**
 * Builds a transport's auth methods from its `auth` config. Without `auth`,
 * only anonymous access with role `anonymous` is offered (Crossbar's rule).
 *
 * @param auth The transport's `auth` dictionary.
 * @param caller Calls dynamic authenticators (the node's router).
 * @param options Environment reader for `${VAR}` secrets.
 * @returns Method name → method, in config order.
 * @throws {AuthConfigError} On an unsupported method or type, or a missing
 *   `${VAR}`.
 */
export function createAuthMethods(
  auth: AuthConfig | undefined,
  caller: ProcedureCaller,
  options: CreateAuthMethodsOptions = {},
): Map<string, AuthMethod> {
  const methods = new Map<string, AuthMethod>();
  if (auth === undefined) {
    methods.set("anonymous", anonymousAuthMethod({ role: "anonymous" }));
    return methods;
  }
  const getEnv = options.getEnv;
  for (const [name, config] of Object.entries(auth)) {
    if (config === undefined) continue;
    if (!SUPPORTED.includes(name)) {
      throw new AuthConfigError(
        `Cannot configure auth method "${name}": not supported (supported: ${
          SUPPORTED.join(", ")
        })`,
      );
    }
    const type = typeOf(name, config);
    methods.set(name, buildMethod(name, type, config as never, caller, getEnv));
  }
  return methods;
}

function buildMethod(
  name: string,
  type: "static" | "dynamic",
  config: unknown,
  caller: ProcedureCaller,
  getEnv: ((name: string) => string | undefined) | undefined,
): AuthMethod {
  switch (name) {
    case "anonymous": {
      if (type === "dynamic") {
        return dynamicAnonymousAuthMethod(config as DynamicAuthConfig, caller);
      }
      const { role, authid, realm } = config as StaticAnonymousConfig;
      return anonymousAuthMethod({
        role,
        ...(authid === undefined ? {} : { authid }),
        ...(realm === undefined ? {} : { realm }),
      });
    }
    case "ticket":
      return ticketAuthMethod(config as StaticTicketConfig, { caller, getEnv });
    case "wampcra":
      return wampcraAuthMethod(config as StaticWampCraConfig, {
        caller,
        getEnv,
      });
    default:
      return cryptosignAuthMethod(config as StaticCryptosignConfig, {
        caller,
      });
  }
}
