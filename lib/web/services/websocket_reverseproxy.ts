/**
 * The `websocket-reverseproxy` path service: relays WebSocket frames
 * between clients and a backend WebSocket server.
 *
 * 1. A request without `Upgrade: websocket` gets 426.
 * 2. The backend is dialled first, offering the client's subprotocols; if
 *    it cannot be reached (within `endpoint.timeout` seconds, default 10)
 *    the client gets 502 and is never upgraded.
 * 3. The client is upgraded with the subprotocol the backend chose, then
 *    text and binary messages flow both ways (backend messages that arrive
 *    before the client side is open are queued).
 * 4. Either side closing closes the other with the same code and reason.
 *    Deno can only send 1000 and 3000–4999, so other codes are relayed as
 *    1000 (the reason is kept).
 *
 * The backend URL is `backend.url` (its path and query) dialled at
 * `endpoint.host:endpoint.port`, with `wss:` when `endpoint.tls` is set.
 *
 * @module
 */
import type { WebSocketReverseProxyServiceConfig } from "../../config/mod.ts";
import type { PathService } from "../path_service.ts";
import type { ServiceEnv } from "./service_env.ts";
import { plainResponse } from "./_static_http.ts";
import { hostPort } from "./_proxy_headers.ts";
import { openBackend, relay } from "./_proxy_websocket.ts";

/**
 * Creates a `websocket-reverseproxy` service.
 *
 * @param config The validated service config.
 * @param env The node environment.
 * @returns The path service.
 * @throws {TypeError} When the backend endpoint or URL is unusable.
 * @example Relay to a local WebSocket server
 * ```ts ignore
 * import { createWebSocketReverseProxyService } from "./websocket_reverseproxy.ts";
 * import { createLogger } from "../../log/logger.ts";
 * const service = createWebSocketReverseProxyService({
 *   type: "websocket-reverseproxy",
 *   backend: {
 *     type: "websocket",
 *     endpoint: { type: "tcp", host: "127.0.0.1", port: 9000 },
 *     url: "ws://127.0.0.1:9000/ws",
 *   },
 * }, { cbdir: "/srv/app/.crossbar", logger: createLogger() });
 * ```
 */
export function createWebSocketReverseProxyService(
  config: WebSocketReverseProxyServiceConfig,
  env: ServiceEnv,
): PathService {
  const target = backendUrl(config.backend);
  const timeoutMs = config.backend.endpoint.timeout * 1000;
  const logger = env.logger;
  const open = new Set<WebSocket>();
  return {
    type: "websocket-reverseproxy",
    async handle(request, context) {
      const upgrade = request.headers.get("upgrade") ?? "";
      if (upgrade.toLowerCase() !== "websocket") {
        return plainResponse(426, undefined, {
          upgrade: "websocket",
        });
      }
      const protocols = (request.headers.get("sec-websocket-protocol") ?? "")
        .split(",").map((p) => p.trim()).filter((p) => p !== "");
      const backend = await openBackend(target, protocols, {
        timeoutMs,
        signal: context.signal,
      });
      if (backend instanceof Error) {
        logger.warn(
          `WebSocket proxy: backend ${target} failed: ${backend.message}`,
        );
        return plainResponse(502, undefined);
      }
      let upgraded: { socket: WebSocket; response: Response };
      try {
        upgraded = Deno.upgradeWebSocket(
          request,
          backend.protocol ? { protocol: backend.protocol } : {},
        );
      } catch (error) {
        backend.close();
        logger.debug(`WebSocket proxy: bad upgrade: ${String(error)}`);
        return plainResponse(400, undefined);
      }
      const { socket, response } = upgraded;
      open.add(socket).add(backend);
      relay(socket, backend, () => {
        open.delete(socket);
        open.delete(backend);
      });
      return response;
    },
    close() {
      for (const socket of open) {
        if (socket.readyState <= WebSocket.OPEN) {
          try {
            // 1001 "going away" to clients: the node is shutting down.
            socket.close(1001, "server shutting down");
          } catch {
            // A backend socket (a WebSocket client) may only send 1000.
            socket.close(1000, "server shutting down");
          }
        }
      }
      open.clear();
      return Promise.resolve();
    },
  };
}

function backendUrl(backend: WebSocketBackendConfig): string {
  const endpoint = backend.endpoint;
  if (
    endpoint?.type !== "tcp" || typeof endpoint.host !== "string" ||
    !Number.isInteger(endpoint.port)
  ) {
    throw new TypeError(
      'Cannot create the websocket-reverseproxy service: "backend.endpoint" must be a tcp endpoint with host and port',
    );
  }
  let path = "/";
  if (backend.url !== undefined) {
    try {
      const url = new URL(backend.url);
      path = url.pathname + url.search;
    } catch (error) {
      throw new TypeError(
        `Cannot create the websocket-reverseproxy service: "backend.url" is not a URL: ${
          JSON.stringify(backend.url)
        }`,
        { cause: error },
      );
    }
  }
  const scheme = endpoint.tls ? "wss" : "ws";
  return `${scheme}://${hostPort(endpoint.host, endpoint.port)}${path}`;
}

/** The `backend` of a `websocket-reverseproxy` service. */
type WebSocketBackendConfig = WebSocketReverseProxyServiceConfig["backend"];
