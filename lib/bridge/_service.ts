/**
 * Builds a bridge PathService from the common checks plus one service's
 * processing step (publish, call or webhook).
 */
import type { Logger } from "../log/logger.ts";
import type { PathService, ServeContext } from "../web/path_service.ts";
import { parseNetwork } from "../net/cidr.ts";
import { BridgeHttpError } from "./_errors.ts";
import { NonceCache } from "./nonce_cache.ts";
import {
  answerMethod,
  bridgeHeaders,
  type CheckedRequest,
  checkRequest,
  errorResponse,
  type RequestRules,
} from "./_request.ts";
import { SessionHolder } from "./_session.ts";
import type { BridgeEnv, BridgeOptions, BridgeSession } from "./types.ts";

/** What a processing step answers: status and body text. */
export interface BridgeAnswer {
  readonly status: number;
  readonly body: string;
}

/** One service's processing step. */
export type ProcessRequest = (
  checked: CheckedRequest,
  session: () => Promise<BridgeSession>,
  context: { request: Request; serve: ServeContext },
) => Promise<BridgeAnswer>;

/** Inputs of {@link createBridgeService}. */
export interface BridgeServiceParts {
  readonly type: string;
  readonly realm: string;
  readonly role: string;
  readonly rules: RequestRules;
  readonly debug: boolean;
  readonly process: ProcessRequest;
}

/**
 * Resolves `publisher`/`caller` options into request rules.
 *
 * @param type The service type, for messages.
 * @param options The service options.
 * @returns The rules.
 * @throws {TypeError} For a bad `require_ip` entry or a lone `key`/`secret`.
 */
export function rulesFromOptions(
  type: string,
  options: BridgeOptions,
): RequestRules {
  if ((options.key === undefined) !== (options.secret === undefined)) {
    throw new TypeError(
      `Cannot create the ${type} service: "key" and "secret" go together`,
    );
  }
  const delta = options.timestamp_delta_limit;
  return {
    json: true,
    bodyLimit: options.post_body_limit,
    requireTls: options.require_tls,
    requireIp: options.require_ip?.map(parseNetwork),
    key: options.key,
    secret: options.secret,
    timestampDeltaLimit: delta,
    nonces: options.secret
      ? new NonceCache({ ttl: delta > 0 ? 2 * delta * 1000 : 86_400_000 })
      : undefined,
  };
}

/**
 * Assembles a bridge service.
 *
 * @param parts Type, realm, role, rules and the processing step.
 * @param env The node environment with the router.
 * @returns The path service.
 */
export function createBridgeService(
  parts: BridgeServiceParts,
  env: BridgeEnv,
): PathService {
  const logger = env.logger;
  const holder = new SessionHolder(env.router, parts.realm, parts.role, logger);
  const session = () => holder.session();
  return {
    type: parts.type,
    handle(request, serve) {
      const early = answerMethod(request);
      if (early !== undefined) return early;
      return holder.track(handle(request, serve));
    },
    close: (deadline) => holder.close(deadline),
  };

  async function handle(
    request: Request,
    serve: ServeContext,
  ): Promise<Response> {
    try {
      if (holder.closed) throw new BridgeHttpError(503, "Service is closing");
      const checked = await checkRequest(request, serve, parts.rules);
      const answer = await parts.process(checked, session, { request, serve });
      if (parts.debug) logger.debug(`${request.method} → ${answer.status}`);
      return new Response(answer.body, {
        status: answer.status,
        headers: bridgeHeaders(request),
      });
    } catch (error) {
      if (error instanceof BridgeHttpError) {
        if (parts.debug) logger.debug(`Refused: ${error.message}`);
        return errorResponse(request, error);
      }
      return internalError(request, error, logger);
    }
  }
}

/** Crossbar's body for an unexpected failure. */
export const RUNTIME_ERROR_BODY = JSON.stringify({
  error: "wamp.error.runtime_error",
  args: ["Sorry, Crossbar.io has encountered a problem."],
  kwargs: {},
});

function internalError(
  request: Request,
  error: unknown,
  logger: Logger,
): Response {
  logger.error(
    `Bridge request failed: ${
      error instanceof Error ? error.message : String(error)
    }`,
  );
  return new Response(RUNTIME_ERROR_BODY, {
    status: 500,
    headers: bridgeHeaders(request),
  });
}
