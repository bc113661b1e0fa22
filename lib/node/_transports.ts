/**
 * Per transport type: which services a transport mounts and how it listens
 * (`web`/`websocket` through `endpoint.ts`, `rawsocket` and `universal`
 * through stream listeners).
 *
 * @module
 */
import type {
  PathServiceConfig,
  TransportConfig,
  WebOptions,
} from "../config/mod.ts";
import type { Logger } from "../log/logger.ts";
import type { PathService } from "../web/path_service.ts";
import type { PathTable } from "../web/path_table.ts";
import type { WebBehaviour, WebTransport } from "../web/web_transport.ts";
import type { WebSocketRouter } from "../web/services/websocket_service.ts";
import { listenEndpoint } from "./endpoint.ts";
import { flattenPaths, type MountedService } from "./_path_tree.ts";
import { listenRawSocket } from "./_rawsocket_listener.ts";
import { listenUniversal } from "./_universal_listener.ts";

/**
 * The path services a transport mounts: a web table, a standalone
 * websocket at the root, none for rawsocket, and for universal its
 * `websocket` entries (by first path segment) over its `web` paths.
 */
export function transportEntries(transport: TransportConfig): MountedService[] {
  switch (transport.type) {
    case "web":
      return flattenPaths(transport.paths);
    case "websocket":
      return [{ prefix: "", config: { ...transport, type: "websocket" } }];
    case "rawsocket":
      return [];
    case "universal":
      return flattenPaths({
        ...transport.web?.paths,
        ...transport.websocket as Record<string, PathServiceConfig>,
      });
  }
}

/** The web `options` of a transport, where it has a web side. */
export function transportWebOptions(
  transport: TransportConfig,
): WebOptions | undefined {
  if (transport.type === "web") return transport.options;
  if (transport.type === "universal") return transport.web?.options;
  return undefined;
}

/** What {@link listenTransport} needs. */
export interface ListenTransportEnv {
  readonly cbdir: string;
  readonly table: PathTable<PathService>;
  readonly logger: Logger;
  readonly behaviour: WebBehaviour;
  readonly router: WebSocketRouter;
}

/**
 * Opens a transport's endpoint.
 *
 * @throws {EndpointError} When it cannot be bound.
 */
export async function listenTransport(
  transport: TransportConfig,
  env: ListenTransportEnv,
): Promise<WebTransport> {
  switch (transport.type) {
    case "rawsocket":
      return await listenRawSocket(transport, env);
    case "universal":
      return await listenUniversal(transport, env);
    default:
      return await listenEndpoint(transport.endpoint, env);
  }
}
