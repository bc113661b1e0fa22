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

/** What a transport without a web side does: no web features at all. */
const NO_WEB_BEHAVIOUR: WebBehaviour = {
  accessLog: false,
  displayTracebacks: false,
  hstsMaxAge: undefined,
  clientTimeout: undefined,
  bodyLimits: undefined,
};

/**
 * How a transport's web side behaves, from its validated web `options`
 * (whose defaults the schema applied); a transport without a web side
 * (a standalone `websocket`, a `universal` without `web`) has none of it.
 *
 * @param options The transport's web options, if it has a web side.
 * @returns The behaviour for {@link listenTransport}.
 */
export function webBehaviour(options: WebOptions | undefined): WebBehaviour {
  if (options === undefined) return NO_WEB_BEHAVIOUR;
  const bodyTimeout = options.request_body_timeout;
  return {
    accessLog: options.access_log,
    displayTracebacks: options.display_tracebacks,
    hstsMaxAge: options.hsts ? options.hsts_max_age : undefined,
    // `null` in the config means no idle limit, as `undefined` does here.
    clientTimeout: options.client_timeout ?? undefined,
    headerTimeout: options.request_header_timeout ?? undefined,
    bodyLimits: bodyTimeout
      ? { timeout: bodyTimeout, minRate: options.request_body_min_rate }
      : undefined,
  };
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
