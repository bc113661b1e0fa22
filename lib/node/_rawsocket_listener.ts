/**
 * The `rawsocket` transport of a router worker: a stream listener whose
 * connections speak WAMP over RawSocket (`lib/wamp/rawsocket/`), attached
 * to the worker's router with the transport's auth methods. The universal
 * transport uses the same acceptor for connections that start with 0x7F.
 *
 * @module
 */
import type { RawSocketTransportConfig } from "../config/mod.ts";
import type { Logger } from "../log/logger.ts";
import type { AuthMethod } from "../wamp/auth/authenticator.ts";
import { createAuthMethods } from "../wamp/auth/mod.ts";
import type { Codec } from "../wamp/codecs/codec.ts";
import { SERIALIZER_IDS } from "../wamp/rawsocket/handshake.ts";
import { serveRawSocket } from "../wamp/rawsocket/rawsocket_transport.ts";
import { allowedCodecs } from "../web/services/_websocket_config.ts";
import type { WebSocketRouter } from "../web/services/websocket_service.ts";
import { asEndpointError, bindEndpoint } from "./endpoint.ts";
import {
  type AcceptedPeer,
  listenStream,
  type StreamListener,
} from "./_stream_listener.ts";

/** The RawSocket settings of a `rawsocket` transport or a universal one. */
export type RawSocketSettings = Omit<
  RawSocketTransportConfig,
  "type" | "endpoint"
>;

/** Serves RawSocket connections for one transport. */
export interface RawSocketAcceptor {
  /**
   * Serves one connection until it is gone.
   *
   * @param conn The accepted stream.
   * @param peer Its address facts.
   * @param initial Octets already read off it.
   */
  accept(
    conn: Deno.Conn,
    peer: AcceptedPeer,
    initial?: Uint8Array,
  ): Promise<void>;
}

/**
 * Builds the acceptor: codecs from `serializers` (by RawSocket serializer
 * ID), the receive limit and the auth methods.
 *
 * @param settings The transport's RawSocket settings.
 * @param env The worker's router and the transport's logger.
 */
export function createRawSocketAcceptor(
  settings: RawSocketSettings,
  env: { readonly router: WebSocketRouter; readonly logger: Logger },
): RawSocketAcceptor {
  const codecs = new Map<number, Codec>();
  for (
    const codec of allowedCodecs(settings.serializers).values()
  ) {
    if (!codec.batched) codecs.set(SERIALIZER_IDS[codec.name]!, codec);
  }
  const authMethods: ReadonlyMap<string, AuthMethod> = createAuthMethods(
    settings.auth,
    env.router,
  );
  return {
    accept: (conn, peer, initial) =>
      serveRawSocket(conn, {
        codecs,
        maxMessageSize: settings.options.max_message_size,
        peer: peer.peer,
        secure: peer.secure,
        closing: peer.closing,
        initial,
        logger: env.logger,
        attach: (transport) => {
          if (settings.debug) {
            env.logger.debug(
              `RawSocket connection from ${peer.peer} (${transport.info.serializer})`,
            );
          }
          return env.router.attach(transport, { authMethods });
        },
      }),
  };
}

/**
 * Listens on a `rawsocket` transport's endpoint.
 *
 * @param config The validated transport.
 * @param env Node directory, router and logger.
 * @returns The listener (`rs://…`, `rss://…` or `unix:…`).
 * @throws {EndpointError} When the endpoint cannot be bound.
 */
export async function listenRawSocket(
  config: RawSocketTransportConfig,
  env: {
    readonly cbdir: string;
    readonly router: WebSocketRouter;
    readonly logger: Logger;
  },
): Promise<StreamListener> {
  const acceptor = createRawSocketAcceptor(config, env);
  const listener = await bindEndpoint(
    config.endpoint,
    env,
    (address) =>
      asEndpointError(
        address,
        () =>
          listenStream(address, (conn, peer) => acceptor.accept(conn, peer), {
            schemes: ["rs", "rss"],
            logger: env.logger,
          }),
      ),
  );
  return {
    url: listener.url,
    addr: listener.addr,
    close: (deadline) => listener.close(deadline),
    [Symbol.asyncDispose]: () => listener.close(),
  };
}
