/**
 * WAMP-Ticket authentication: the client sends a shared secret (ticket) in
 * AUTHENTICATE. Static principals or a dynamic authenticator called with
 * `details.ticket` once the ticket arrives, as Crossbar does.
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
  DynamicAuthConfig,
  StaticTicketConfig,
  TicketPrincipal,
} from "./auth_config.ts";
import {
  authenticatorDetails,
  callAuthenticator,
  constantTimeEqual,
  deny,
  isResult,
  requireCaller,
  type SecretAuthOptions,
  secretFromEnv,
  UNEXPECTED_AUTHENTICATE,
  welcome,
} from "./_common.ts";

const METHOD = "ticket";

/** Options for {@link ticketAuthMethod}. */
export type TicketAuthOptions = SecretAuthOptions;

/**
 * Creates the `ticket` method from its config.
 *
 * @param config Static principals or a dynamic authenticator.
 * @param options The procedure caller (dynamic) and environment reader.
 * @returns The method.
 * @throws {AuthConfigError} When a `${VAR}` ticket's variable is unset.
 */
export function ticketAuthMethod(
  config: StaticTicketConfig | DynamicAuthConfig,
  options: TicketAuthOptions = {},
): AuthMethod {
  if (config.type === "dynamic") {
    const caller = requireCaller(METHOD, options.caller);
    return { method: METHOD, start: () => new DynamicTicket(config, caller) };
  }
  const getEnv = options.getEnv ?? ((name: string) => Deno.env.get(name));
  const principals = new Map<string, TicketPrincipal>();
  for (const [authid, principal] of Object.entries(config.principals)) {
    principals.set(authid, {
      ...principal,
      ticket: secretFromEnv(
        principal.ticket,
        `ticket of principal "${authid}"`,
        getEnv,
      ),
    });
  }
  return { method: METHOD, start: () => new StaticTicket(principals) };
}

class StaticTicket implements Authenticator {
  readonly method = METHOD;
  #principals: ReadonlyMap<string, TicketPrincipal>;
  #hello: HelloInfo | undefined;
  #principal: TicketPrincipal | undefined;

  constructor(principals: ReadonlyMap<string, TicketPrincipal>) {
    this.#principals = principals;
  }

  hello(info: HelloInfo): Promise<AuthResult> {
    const principal = info.authid === undefined
      ? undefined
      : this.#principals.get(info.authid);
    if (principal === undefined) {
      return Promise.resolve(
        deny(`no principal with authid "${info.authid ?? ""}" exists`),
      );
    }
    this.#hello = info;
    this.#principal = principal;
    return Promise.resolve({ kind: "challenge", extra: {} });
  }

  authenticate(signature: string): Promise<AuthResult> {
    const hello = this.#hello;
    const principal = this.#principal;
    if (hello === undefined || principal === undefined) {
      return Promise.resolve(UNEXPECTED_AUTHENTICATE);
    }
    if (!constantTimeEqual(signature, principal.ticket)) {
      return Promise.resolve(deny("invalid ticket"));
    }
    return Promise.resolve(welcome(
      hello,
      {
        role: principal.role,
        realm: principal.realm,
        fields: {},
      },
      METHOD,
      "static",
    ));
  }
}

class DynamicTicket implements Authenticator {
  readonly method = METHOD;
  #config: DynamicAuthConfig;
  #caller: ProcedureCaller;
  #hello: HelloInfo | undefined;

  constructor(config: DynamicAuthConfig, caller: ProcedureCaller) {
    this.#config = config;
    this.#caller = caller;
  }

  hello(info: HelloInfo): Promise<AuthResult> {
    this.#hello = info;
    return Promise.resolve({ kind: "challenge", extra: {} });
  }

  async authenticate(signature: string): Promise<AuthResult> {
    const hello = this.#hello;
    if (hello === undefined) return UNEXPECTED_AUTHENTICATE;
    this.#hello = undefined;
    const details = authenticatorDetails(hello, METHOD, { ticket: signature });
    const outcome = await callAuthenticator(
      this.#caller,
      this.#config,
      hello,
      details,
    );
    if (isResult(outcome)) return outcome;
    return welcome(hello, outcome, METHOD, "dynamic");
  }
}
