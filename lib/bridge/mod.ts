/**
 * The HTTP bridge path services (Crossbar's `publisher`, `caller` and
 * `webhook`): plain HTTP POSTs turned into WAMP publishes and calls through
 * one internal session per service.
 *
 * Request lifecycle:
 * 1. `_request.ts` answers OPTIONS and refuses other methods than POST/PUT,
 *    then checks client address, TLS, content type and charset.
 * 2. `_body.ts` reads the body under `post_body_limit` (413 past it).
 * 3. `_request.ts` checks GitHub or bridge signatures (`signature.ts`,
 *    replays refused by `nonce_cache.ts`), UTF-8 and JSON.
 * 4. `publisher.ts` / `caller.ts` / `webhook.ts` validate the payload and
 *    publish or call through the session of `_session.ts` (joined lazily,
 *    re-joined when it ended).
 *
 * @example Publish with one POST
 * ```ts
 * import { createRouter } from "../wamp/mod.ts";
 * import { SILENT_LOGGER } from "../log/logger.ts";
 * import { createPublisherService } from "./mod.ts";
 * const router = createRouter({ realms: [{ name: "realm1" }] });
 * const service = createPublisherService(
 *   {
 *     type: "publisher",
 *     realm: "realm1",
 *     role: "trusted",
 *     // What the config schema fills in when a config gives no options.
 *     options: {
 *       debug: false,
 *       require_tls: false,
 *       post_body_limit: 0,
 *       timestamp_delta_limit: 300,
 *     },
 *   },
 *   { cbdir: ".", logger: SILENT_LOGGER, router },
 * );
 * const request = new Request("http://node/push", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ topic: "com.example.hello", args: ["hi"] }),
 * });
 * const response = await service.handle(request, {
 *   prefix: "/push",
 *   rest: "/",
 *   search: "",
 *   remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 },
 *   secure: false,
 *   signal: new AbortController().signal,
 * });
 * const { id } = await response.json();
 * if (response.status !== 200 || typeof id !== "number") throw new Error();
 * await service.close();
 * await router.close();
 * ```
 *
 * @module
 */
export { createPublisherService } from "./publisher.ts";
export { createCallerService } from "./caller.ts";
export { createWebhookService } from "./webhook.ts";
export type {
  BridgeEnv,
  BridgeOptions,
  BridgeRouter,
  BridgeSession,
  CallerServiceConfig,
  PublisherServiceConfig,
  WebhookOptions,
  WebhookServiceConfig,
} from "./types.ts";
