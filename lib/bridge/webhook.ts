/**
 * The `webhook` path service: the raw body of any POST/PUT (no JSON
 * decoding) is published to `options.topic` as one positional argument
 * `{"headers": {name: [values]}, "body": "<text>"}` (header names spelled
 * as Crossbar's Twisted spells them: `Content-Type`, `X-Github-Event`); the answer is 202 with
 * `success_response`, or 500 with `error_response` when the publish fails.
 * With `github_secret`, GitHub's `X-Hub-Signature-256` (or the older
 * `X-Hub-Signature`) must match.
 *
 * @module
 */
import type { PathService } from "../web/path_service.ts";
import { createBridgeService } from "./_service.ts";
import type { BridgeEnv, WebhookServiceConfig } from "./types.ts";

/**
 * Creates a `webhook` service.
 *
 * @param config The validated service config.
 * @param env The node environment with the router.
 * @returns The path service.
 * @example Forward GitHub pushes
 * ```ts ignore
 * import { createWebhookService } from "./webhook.ts";
 * const service = createWebhookService({
 *   type: "webhook",
 *   realm: "realm1",
 *   role: "anonymous",
 *   options: { topic: "com.example.github", github_secret: "s3cr3t" },
 * }, { cbdir: ".", logger, router });
 * ```
 */
export function createWebhookService(
  config: WebhookServiceConfig,
  env: BridgeEnv,
): PathService {
  const options = config.options;
  const topic = options.topic;
  const success = options.success_response;
  const failure = options.error_response;
  const logger = env.logger;
  return createBridgeService({
    type: "webhook",
    realm: config.realm,
    role: config.role,
    debug: options.debug,
    rules: {
      json: false,
      bodyLimit: options.post_body_limit,
      requireTls: false,
      timestampDeltaLimit: 0,
      githubSecret: options.github_secret,
    },
    process: async ({ text }, session, { request }) => {
      const headers: Record<string, string[]> = {};
      for (const [name, value] of request.headers) {
        (headers[canonicalName(name)] ??= []).push(value);
      }
      try {
        await (await session()).publish(topic, [{ headers, body: text }], {}, {
          acknowledge: true,
        });
        return { status: 202, body: success };
      } catch (error) {
        logger.error(
          `Cannot publish the webhook to "${topic}": ${
            error instanceof Error ? error.message : String(error)
          }`,
        );
        return { status: 500, body: failure };
      }
    },
  }, env);
}

const SPECIAL_NAMES: Record<string, string> = {
  "content-md5": "Content-MD5",
  "dnt": "DNT",
  "etag": "ETag",
  "p3p": "P3P",
  "te": "TE",
  "www-authenticate": "WWW-Authenticate",
  "x-xss-protection": "X-XSS-Protection",
};

/** `x-github-event` → `X-Github-Event`, as Twisted's `getAllRawHeaders()`. */
function canonicalName(name: string): string {
  return SPECIAL_NAMES[name] ??
    name.split("-").map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join("-");
}
