/**
 * The `redirect` path service: GET and HEAD on the path and every subpath
 * answer 302 to one fixed URL; other methods get 405 (as Twisted's
 * resource does).
 *
 * @module
 */
import type { RedirectServiceConfig } from "../../config/mod.ts";
import type { PathService } from "../path_service.ts";
import type { ServiceEnv } from "./service_env.ts";
import {
  escapeHtml,
  isReadMethod,
  methodNotAllowed,
  READ_METHODS,
} from "./_static_http.ts";

/**
 * Creates a `redirect` service.
 *
 * @param config The validated service config.
 * @param _env The node environment (unused).
 * @returns The path service.
 * @throws {TypeError} When `url` is not a non-empty string or holds
 * characters that cannot go into a header.
 * @example Send every GET elsewhere
 * ```ts
 * import { createRedirectService } from "./redirect.ts";
 * import { SILENT_LOGGER } from "../../log/logger.ts";
 * const service = createRedirectService(
 *   { type: "redirect", url: "https://example.com/" },
 *   { cbdir: "/", logger: SILENT_LOGGER },
 * );
 * const response = await service.handle(new Request("http://x/a/b"), {
 *   prefix: "", rest: "/a/b", search: "", secure: false,
 *   remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
 *   signal: new AbortController().signal,
 * });
 * if (response.status !== 302) throw new Error();
 * ```
 */
export function createRedirectService(
  config: RedirectServiceConfig,
  _env: ServiceEnv,
): PathService {
  const url = config.url;
  // deno-lint-ignore no-control-regex
  if (typeof url !== "string" || url === "" || /[\x00-\x1f\x7f]/.test(url)) {
    throw new TypeError(
      `Cannot create the redirect service: "url" must be a non-empty URL without control characters, got ${
        JSON.stringify(url)
      }`,
    );
  }
  const body = `<!DOCTYPE html>\n<p>Moved to <a href="${escapeHtml(url)}">${
    escapeHtml(url)
  }</a></p>\n`;
  return {
    type: "redirect",
    handle(request) {
      if (!isReadMethod(request.method)) return methodNotAllowed(READ_METHODS);
      const headers = new Headers({
        location: url,
        "content-type": "text/html; charset=utf-8",
      });
      const content = request.method === "HEAD" ? null : body;
      return new Response(content, { status: 302, headers });
    },
    close: () => Promise.resolve(),
  };
}
