/**
 * The `publisher` path service: an HTTP POST/PUT of
 * `{"topic", "args"?, "kwargs"?, "options"?}` becomes a WAMP PUBLISH (with
 * acknowledgement) on the service's realm under its role; the answer is
 * `{"id": <publication id>}`.
 *
 * @module
 */
import type { PathService } from "../web/path_service.ts";
import { BridgeHttpError } from "./_errors.ts";
import {
  isDict,
  readOptions,
  readPayload,
  requireUri,
  wampErrorAnswer,
} from "./_payload.ts";
import { createBridgeService, rulesFromOptions } from "./_service.ts";
import type { BridgeEnv, PublisherServiceConfig } from "./types.ts";

const ID_LISTS = ["exclude", "eligible"];
const NAME_LISTS = [
  "exclude_authid",
  "eligible_authid",
  "exclude_authrole",
  "eligible_authrole",
];
const FLAGS = ["exclude_me", "retain"];

/**
 * Creates a `publisher` service.
 *
 * @param config The validated service config.
 * @param env The node environment with the router.
 * @returns The path service.
 * @throws {TypeError} For a bad `require_ip` entry or a lone `key`/`secret`.
 * @example Publish over HTTP
 * ```ts ignore
 * import { createRouter } from "../wamp/mod.ts";
 * import { SILENT_LOGGER } from "../log/logger.ts";
 * import { createPublisherService } from "./publisher.ts";
 * const router = createRouter({ realms: [{ name: "realm1", roles: [] }] });
 * const service = createPublisherService(
 *   { type: "publisher", realm: "realm1", role: "trusted" },
 *   { cbdir: ".", logger: SILENT_LOGGER, router },
 * );
 * // Mount `service` at a path; then:
 * // curl -H "Content-Type: application/json" \
 * //   -d '{"topic": "com.myapp.topic1", "args": ["Hello"]}' http://host/push
 * ```
 */
export function createPublisherService(
  config: PublisherServiceConfig,
  env: BridgeEnv,
): PathService {
  const options = config.options;
  return createBridgeService({
    type: "publisher",
    realm: config.realm,
    role: config.role,
    debug: options.debug,
    rules: rulesFromOptions("publisher", options),
    process: async ({ object }, session) => {
      const topic = requireUri(object, "topic");
      const { args, kwargs } = readPayload(object);
      const publishOptions = readPublishOptions(readOptions(object));
      try {
        const id = await (await session()).publish(topic, args, kwargs, {
          ...publishOptions,
          acknowledge: true,
        });
        return { status: 200, body: JSON.stringify({ id }) };
      } catch (error) {
        return wampErrorAnswer(error);
      }
    },
  }, env);
}

/**
 * Checks the publish options a client may pass through and normalises
 * single values to lists.
 */
function readPublishOptions(
  options: Record<string, unknown>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === null || value === undefined) continue;
    if (ID_LISTS.includes(name)) {
      result[name] = listOf(name, value, isSessionId, "session ids");
    } else if (NAME_LISTS.includes(name)) {
      result[name] = listOf(name, value, isString, "strings");
    } else if (FLAGS.includes(name)) {
      if (typeof value !== "boolean") {
        throw new BridgeHttpError(
          400,
          `Invalid publish option "${name}": expected true or false`,
        );
      }
      result[name] = value;
    } else {
      throw new BridgeHttpError(
        400,
        `Unknown publish option "${name}": allowed are ${
          [...ID_LISTS, ...NAME_LISTS, ...FLAGS].join(", ")
        }`,
      );
    }
  }
  return result;
}

function listOf(
  name: string,
  value: unknown,
  check: (item: unknown) => boolean,
  what: string,
): unknown[] {
  const list = Array.isArray(value) ? value : [value];
  if (!list.every(check) || isDict(value)) {
    throw new BridgeHttpError(
      400,
      `Invalid publish option "${name}": expected a list of ${what}`,
    );
  }
  return list;
}

function isSessionId(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function isString(value: unknown): boolean {
  return typeof value === "string";
}
