/**
 * The `none` path service: every request gets 404.
 *
 * @module
 */
import type { NoneServiceConfig } from "../../config/mod.ts";
import type { PathService } from "../path_service.ts";
import type { ServiceEnv } from "./service_env.ts";
import { notFound } from "./_static_http.ts";

/**
 * Creates a `none` service, which answers every request with 404.
 *
 * @param _config The validated service config (nothing to read).
 * @param _env The node environment (unused).
 * @returns The path service.
 * @example Block a path
 * ```ts
 * import { createNoneService } from "./none.ts";
 * import { SILENT_LOGGER } from "../../log/logger.ts";
 * const service = createNoneService({ type: "none" }, {
 *   cbdir: "/",
 *   logger: SILENT_LOGGER,
 * });
 * const response = await service.handle(new Request("http://x/"), {
 *   prefix: "", rest: "/", search: "", secure: false,
 *   remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
 *   signal: new AbortController().signal,
 * });
 * if (response.status !== 404) throw new Error();
 * ```
 */
export function createNoneService(
  _config: NoneServiceConfig,
  _env: ServiceEnv,
): PathService {
  return {
    type: "none",
    handle: () => notFound(),
    close: () => Promise.resolve(),
  };
}
