/**
 * Helpers shared by the authentication methods: results, principals
 * returned by dynamic authenticators, secrets from the environment,
 * constant-time comparison, authenticator call details.
 */
import type {
  AuthResult,
  HelloInfo,
  ProcedureCaller,
} from "./authenticator.ts";
import { AuthConfigError, type DynamicAuthConfig } from "./auth_config.ts";
import { transportDetails } from "../transport.ts";

/** Default ABORT reason of a refused handshake. */
export const NOT_AUTHORIZED = "wamp.error.not_authorized";
/** ABORT reason when an authenticator failed or returned garbage. */
export const AUTHENTICATION_FAILED = "wamp.error.authentication_failed";

/** A refusal. */
export function deny(
  message: string,
  uri: string = NOT_AUTHORIZED,
): AuthResult {
  return { kind: "deny", uri, message };
}

/** Who a client turned out to be. */
export interface Principal {
  readonly role: string;
  readonly authid?: string | undefined;
  readonly realm?: string | undefined;
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
  /** Anything else the authenticator returned (secret, salt, pubkey, …). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Reads a dynamic authenticator's result: a role string or a dict with a
 * string `role` and optional `authid`, `realm`, `extra`.
 */
export function parsePrincipal(value: unknown): Principal | undefined {
  if (typeof value === "string" && value.length > 0) {
    return { role: value, fields: {} };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return undefined;
  }
  const fields = value as Record<string, unknown>;
  const { role, authid, realm, extra } = fields;
  if (typeof role !== "string" || role.length === 0) return undefined;
  if (authid !== undefined && authid !== null && typeof authid !== "string") {
    return undefined;
  }
  if (realm !== undefined && realm !== null && typeof realm !== "string") {
    return undefined;
  }
  const extraOk = typeof extra === "object" && extra !== null &&
    !Array.isArray(extra);
  return {
    role,
    authid: typeof authid === "string" ? authid : undefined,
    realm: typeof realm === "string" ? realm : undefined,
    extra: extraOk ? extra as Record<string, unknown> : undefined,
    fields,
  };
}

/** WELCOME for `principal`, filling gaps from HELLO. */
export function welcome(
  hello: HelloInfo,
  principal: Principal,
  method: string,
  provider: string,
  fallbackAuthid?: string,
): AuthResult {
  const authid = principal.authid ?? hello.authid ?? fallbackAuthid;
  if (authid === undefined) {
    return deny(`${method}: no authid given and none assigned`);
  }
  return {
    kind: "welcome",
    realm: principal.realm ?? hello.realm,
    authid,
    authrole: principal.role,
    authmethod: method,
    authprovider: provider,
    ...(principal.extra === undefined ? {} : { authextra: principal.extra }),
  };
}

const SECRET_FROM_ENV_REGEXP = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** Resolves `${VAR}` from the environment; other strings are literal. */
export function secretFromEnv(
  value: string,
  where: string,
  getEnv: (name: string) => string | undefined,
): string {
  const match = SECRET_FROM_ENV_REGEXP.exec(value);
  if (match === null) return value;
  const resolved = getEnv(match[1]!);
  if (resolved === undefined) {
    throw new AuthConfigError(
      `Cannot read ${where}: environment variable "${match[1]}" is not set`,
    );
  }
  return resolved;
}

const utf8 = new TextEncoder();

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  const length = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The `details` argument Crossbar passes to a dynamic authenticator. */
export function authenticatorDetails(
  hello: HelloInfo,
  method: string,
  more: Record<string, unknown> = {},
): Record<string, unknown> {
  const transport = hello.transport;
  return {
    session: hello.sessionId,
    authmethod: method,
    authid: hello.authid ?? null,
    authrole: hello.authrole ?? null,
    authextra: hello.authextra ?? null,
    transport: transportDetails(transport),
    ...more,
  };
}

function errorUri(error: unknown): string | undefined {
  const uri = (error as { uri?: unknown } | null)?.uri;
  return typeof uri === "string" ? uri : undefined;
}

/**
 * Calls a dynamic authenticator. Resolves with the principal, or with a
 * deny result: the authenticator's own error URI and first argument when it
 * raised a WAMP error, `wamp.error.authentication_failed` otherwise.
 */
export async function callAuthenticator(
  caller: ProcedureCaller,
  config: DynamicAuthConfig,
  hello: HelloInfo,
  details: Record<string, unknown>,
): Promise<Principal | AuthResult> {
  const realm = config["authenticator-realm"] ?? hello.realm;
  let result: unknown;
  try {
    result = await caller.callProcedure(realm, config.authenticator, [
      hello.realm,
      hello.authid ?? null,
      details,
    ]);
  } catch (error) {
    const uri = errorUri(error);
    if (uri !== undefined) {
      const first = (error as { args?: unknown[] }).args?.[0];
      return deny(
        first === undefined ? `authenticator raised ${uri}` : String(first),
        uri,
      );
    }
    return deny(
      `dynamic authenticator failed: ${(error as Error)?.message ?? error}`,
      AUTHENTICATION_FAILED,
    );
  }
  return parsePrincipal(result) ?? deny(
    `dynamic authenticator "${config.authenticator}" returned an invalid principal`,
    AUTHENTICATION_FAILED,
  );
}

/** Whether a value is an {@link AuthResult} rather than a principal. */
export function isResult(value: Principal | AuthResult): value is AuthResult {
  return "kind" in value;
}

/** Refusal for an AUTHENTICATE that arrives in the wrong state. */
export const UNEXPECTED_AUTHENTICATE: AuthResult = deny(
  "unexpected AUTHENTICATE",
);

/**
 * The procedure caller a `"type": "dynamic"` method needs.
 *
 * @throws {TypeError} When none was given.
 */
export function requireCaller(
  method: string,
  caller: ProcedureCaller | undefined,
): ProcedureCaller {
  if (caller === undefined) {
    throw new TypeError(
      `Cannot create dynamic ${method} auth: no procedure caller`,
    );
  }
  return caller;
}

/** What a `"type": "dynamic"` authenticator needs: its config and the router. */
export interface DynamicSource {
  readonly config: DynamicAuthConfig;
  readonly caller: ProcedureCaller;
}

/** Options of the methods whose secrets may come from `${VAR}`. */
export interface SecretAuthOptions {
  /** Needed for `"type": "dynamic"`. */
  caller?: ProcedureCaller | undefined;
  /** Reads `${VAR}` secrets. @default {Deno.env.get} */
  getEnv?: ((name: string) => string | undefined) | undefined;
}
