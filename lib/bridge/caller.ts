/**
 * The `caller` path service: an HTTP POST/PUT of
 * `{"procedure", "args"?, "kwargs"?, "options"?}` becomes a WAMP CALL on the
 * service's realm under its role. The answer is `{"args", "kwargs"}` with
 * empty parts left out (a lone result, or none, is `{"args": [v]}` as in
 * Crossbar); a WAMP error is 200 `{"error": uri, "args", "kwargs"}`.
 * `options.timeout` (ms) is passed to the router; a client that goes away
 * cancels its call.
 *
 * @module
 */
import type { PathService } from "../web/path_service.ts";
import { BridgeHttpError } from "./_errors.ts";
import {
  readOptions,
  readPayload,
  requireUri,
  wampErrorAnswer,
} from "./_payload.ts";
import { createBridgeService, rulesFromOptions } from "./_service.ts";
import type {
  BridgeCallResult,
  BridgeEnv,
  CallerServiceConfig,
} from "./types.ts";

/**
 * Creates a `caller` service.
 *
 * @param config The validated service config.
 * @param env The node environment with the router.
 * @returns The path service.
 * @throws {TypeError} For a bad `require_ip` entry or a lone `key`/`secret`.
 * @example Call over HTTP
 * ```ts ignore
 * import { createCallerService } from "./caller.ts";
 * const service = createCallerService(
 *   { type: "caller", realm: "realm1", role: "anonymous" },
 *   { cbdir: ".", logger, router },
 * );
 * // POST {"procedure": "com.example.add", "args": [2, 3]} → {"args": [5]}
 * ```
 */
export function createCallerService(
  config: CallerServiceConfig,
  env: BridgeEnv,
): PathService {
  const options = config.options;
  return createBridgeService({
    type: "caller",
    realm: config.realm,
    role: config.role,
    debug: options.debug,
    rules: rulesFromOptions("caller", options),
    process: async ({ object }, session, { serve }) => {
      const procedure = requireUri(object, "procedure");
      const { args, kwargs } = readPayload(object);
      const timeout = readTimeout(readOptions(object));
      try {
        const result = await (await session()).call(procedure, args, kwargs, {
          signal: serve.signal,
          ...(timeout === undefined ? {} : { timeout }),
        });
        return { status: 200, body: JSON.stringify(resultBody(result)) };
      } catch (error) {
        return wampErrorAnswer(error);
      }
    },
  }, env);
}

function readTimeout(options: Record<string, unknown>): number | undefined {
  for (const name of Object.keys(options)) {
    if (name !== "timeout") {
      throw new BridgeHttpError(
        400,
        `Unknown call option "${name}": the only one allowed is timeout`,
      );
    }
  }
  const timeout = options.timeout;
  if (timeout === undefined || timeout === null) return undefined;
  if (!Number.isSafeInteger(timeout) || (timeout as number) < 0) {
    throw new BridgeHttpError(
      400,
      'Invalid call option "timeout": expected milliseconds (an integer ≥ 0)',
    );
  }
  return timeout as number;
}

function resultBody(result: BridgeCallResult): Record<string, unknown> {
  const args = result.args ?? [];
  const kwargs = result.kwargs ?? {};
  const hasKwargs = Object.keys(kwargs).length > 0;
  if (!hasKwargs && args.length <= 1) return { args: [args[0] ?? null] };
  const body: Record<string, unknown> = {};
  if (args.length > 0) body.args = args;
  if (hasKwargs) body.kwargs = kwargs;
  return body;
}
