/**
 * The `none` path service: every request gets 404.
 *
 * @module
 */
import type { PathService } from "../path_service.ts";
import type { ServiceEnv } from "./service_env.ts";
import { notFound } from "./_static_http.ts";

/** A `none` path service entry of Crossbar's config. */
export interface NoneServiceConfig {
  readonly type: "none";
  readonly id?: string | undefined;
}

/**
 * Creates a `none` service, which answers every request with 404.
 *
 * @param _config The validated service config (nothing to read).
 * @param _env The node environment (unused).
 * @returns The path service.
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
