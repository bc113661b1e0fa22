/**
 * The `json` path service: answers GET and HEAD with a fixed JSON value.
 *
 * Unlike Crossbar's release (which ignores `options`), the options are
 * honoured. `allow_cross_origin` defaults to `true` because Crossbar always
 * sends its CORS headers. The content type is
 * `application/json; charset=utf-8` (Crossbar's has a typo).
 *
 * @module
 */
import type { JsonServiceConfig } from "../../config/mod.ts";
import type { PathService } from "../path_service.ts";
import type { ServiceEnv } from "./service_env.ts";
import {
  isReadMethod,
  methodNotAllowed,
  READ_METHODS,
  setCorsHeaders,
} from "./_static_http.ts";

/**
 * Creates a `json` service. The value is serialised once, here.
 *
 * @param config The validated service config.
 * @param _env The node environment (unused).
 * @returns The path service.
 * @throws {TypeError} When `value` cannot be serialised as JSON.
 * @example Serve a fixed value
 * ```ts
 * import { createJsonService } from "./json.ts";
 * import { SILENT_LOGGER } from "../../log/logger.ts";
 * const service = createJsonService(
 *   {
 *     type: "json",
 *     value: { ok: true },
 *     // What the config schema fills in when a config gives no options.
 *     options: {
 *       prettify: false,
 *       allow_cross_origin: true,
 *       discourage_caching: false,
 *     },
 *   },
 *   { cbdir: "/", logger: SILENT_LOGGER },
 * );
 * const response = await service.handle(new Request("http://x/"), {
 *   prefix: "", rest: "/", search: "", secure: false,
 *   remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
 *   signal: new AbortController().signal,
 * });
 * if (await response.text() !== '{"ok":true}') throw new Error();
 * ```
 */
export function createJsonService(
  config: JsonServiceConfig,
  _env: ServiceEnv,
): PathService {
  const options = config.options;
  let text: string | undefined;
  try {
    text = JSON.stringify(config.value, null, options.prettify ? 2 : 0);
  } catch (error) {
    throw new TypeError(
      `Cannot create the json service: "value" is not serialisable: ${
        error instanceof Error ? error.message : String(error)
      }`,
      { cause: error },
    );
  }
  if (text === undefined) {
    throw new TypeError('Cannot create the json service: "value" is missing');
  }
  const body = new TextEncoder().encode(options.prettify ? `${text}\n` : text);
  const cors = options.allow_cross_origin;
  const noCache = options.discourage_caching;
  return {
    type: "json",
    handle(request) {
      const headers = new Headers();
      if (cors) setCorsHeaders(headers, request);
      if (!isReadMethod(request.method)) {
        return methodNotAllowed(READ_METHODS, headers);
      }
      headers.set("content-type", "application/json; charset=utf-8");
      headers.set("content-length", String(body.length));
      if (noCache) {
        headers.set(
          "cache-control",
          "no-store, no-cache, must-revalidate, max-age=0",
        );
        headers.set("pragma", "no-cache");
        headers.set("expires", "0");
      }
      const content = request.method === "HEAD" ? null : body.slice();
      return new Response(content, { headers });
    },
    close: () => Promise.resolve(),
  };
}
