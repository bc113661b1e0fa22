/**
 * One path service's config, given as a value (a test, a benchmark, code
 * that builds a service without a node config), run through the same
 * schema as a loaded config: its checks and every default apply, so a
 * service only ever sees the schema's output.
 *
 * @module
 */

import * as v from "valibot";
import type { PathServiceConfig, PathServiceConfigInput } from "./schema.ts";
import { PathServiceSchema } from "./_schema/services.ts";
import { convertIssues, fallbackMessage } from "./_format.ts";
import { formatIssue } from "./config_error.ts";

/** The service config of one `type`, output side (defaults applied). */
export type ServiceConfigOf<T extends PathServiceConfigInput["type"]> = Extract<
  PathServiceConfig,
  { type: T }
>;

/** The service config of one `type`, input side (as a config writes it). */
export type ServiceConfigInputOf<T extends PathServiceConfigInput["type"]> =
  Extract<PathServiceConfigInput, { type: T }>;

/**
 * Validates one path service config and applies the schema's defaults.
 *
 * @example A websocket path with its defaults
 * ```ts
 * import { validateServiceConfig } from "./mod.ts";
 *
 * const ws = validateServiceConfig({ type: "websocket" });
 * if (ws.options.allowed_origins[0] !== "*") throw new Error("no default");
 * ```
 *
 * @param input The service as a config would write it (with its `type`).
 * @returns The service config with every default applied.
 * @throws {TypeError} Naming the service type, the key and what is wrong.
 */
export function validateServiceConfig<
  T extends PathServiceConfigInput["type"],
>(input: ServiceConfigInputOf<T>): ServiceConfigOf<T> {
  const result = v.safeParse(PathServiceSchema, input, {
    message: fallbackMessage,
  });
  if (result.success) return result.output as ServiceConfigOf<T>;
  const type = typeof input?.type === "string" ? ` ${input.type}` : "";
  throw new TypeError(
    `Invalid${type} service config: ${
      convertIssues(result.issues, {}).map(formatIssue).join("; ")
    }`,
  );
}
