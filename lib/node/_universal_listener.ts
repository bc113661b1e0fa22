/**
 * The `universal` transport: one port for RawSocket, WebSocket paths and a
 * web path table, picked from the first octets of each connection as
 * Crossbar does (`0x7F` RawSocket, `0x10` MQTT — refused here —, anything
 * else HTTP).
 *
 * `Deno.serve` cannot be handed a connection whose first octets were
 * already read, so HTTP connections are relayed: the listener opens a
 * loopback connection to an internal `Deno.serve` listener (127.0.0.1, a
 * free port), writes the octets it read and pumps both directions. The
 * internal listener learns the real client (address, TLS) from a table
 * keyed by the relay connection's local port, and answers 403 to anything
 * that did not come through the relay. The relay costs one loopback hop per
 * HTTP connection; `bench/` measures it against a plain web transport.
 *
 * @module
 */
import type { UniversalTransportConfig } from "../config/mod.ts";
import type { Logger } from "../log/logger.ts";
import type { PathService } from "../web/path_service.ts";
import type { PathTable } from "../web/path_table.ts";
import {
  listenWebTransport,
  type RelayedPeer,
  type WebBehaviour,
  type WebTransport,
} from "../web/web_transport.ts";
import type { WebSocketRouter } from "../web/services/websocket_service.ts";
import { asEndpointError, bindEndpoint } from "./endpoint.ts";
import { createRawSocketAcceptor } from "./_rawsocket_listener.ts";
import { type AcceptedPeer, listenStream } from "./_stream_listener.ts";

const RAWSOCKET_MAGIC = 0x7f;
const MQTT_CONNECT = 0x10;
const READ_SIZE = 16 * 1024;

/** What {@link listenUniversal} needs besides the config. */
export interface UniversalEnv {
  /** The node directory. */
  readonly cbdir: string;
  /** The worker's router. */
  readonly router: WebSocketRouter;
  /** The transport's logger. */
  readonly logger: Logger;
  /** WebSocket and web services by path. */
  readonly table: PathTable<PathService>;
  /** The web side's options. */
  readonly behaviour: WebBehaviour;
}

/**
 * Listens on a universal transport's endpoint.
 *
 * @param config The validated transport.
 * @param env Router, path table and behaviour of the HTTP side.
 * @returns The transport (`http://…`, `https://…` with TLS, `unix:…`).
 * @throws {EndpointError} When the endpoint cannot be bound.
 */
export async function listenUniversal(
  config: UniversalTransportConfig,
  env: UniversalEnv,
): Promise<WebTransport> {
  const { logger } = env;
  const relays = new Map<number, RelayedPeer>();
  const http = config.web !== undefined ||
      Object.keys(config.websocket).length > 0
    ? await listenWebTransport({
      endpoint: { kind: "tcp", hostname: "127.0.0.1", port: 0 },
      table: env.table,
      behaviour: env.behaviour,
      logger,
      relayed: (addr) => relays.get((addr as Deno.NetAddr).port),
    })
    : undefined;
  const rawsocket = config.rawsocket &&
    createRawSocketAcceptor(config.rawsocket, env);
  // A connection that sends nothing is closed after the web side's header
  // timeout, as one that sends half a request head is by its listener.
  const firstReadTimeout = env.behaviour.headerTimeout;
  const handle = async (conn: Deno.Conn, peer: AcceptedPeer) => {
    const buffer = new Uint8Array(READ_SIZE);
    // A connection that sends nothing does not hold up shutdown.
    let abandoned = false;
    const abandon = () => {
      abandoned = true;
      conn.close();
    };
    if (peer.closing.aborted) return;
    peer.closing.addEventListener("abort", abandon, { once: true });
    const timer = firstReadTimeout === undefined
      ? undefined
      : setTimeout(abandon, firstReadTimeout * 1000);
    let n: number | null;
    try {
      n = await conn.read(buffer);
    } catch (error) {
      if (abandoned) return;
      throw error;
    } finally {
      clearTimeout(timer);
      peer.closing.removeEventListener("abort", abandon);
    }
    if (n === null || peer.closing.aborted) return;
    const first = buffer.slice(0, n);
    if (first[0] === RAWSOCKET_MAGIC) {
      if (rawsocket === undefined) {
        logger.warn(
          `RawSocket connection from ${peer.peer} refused: this universal transport has no "rawsocket" settings`,
        );
        return;
      }
      return await rawsocket.accept(conn, peer, first);
    }
    if (first[0] === MQTT_CONNECT) {
      logger.warn(
        `MQTT connection from ${peer.peer} refused: MQTT is not supported`,
      );
      return;
    }
    if (http === undefined) {
      logger.warn(
        `HTTP connection from ${peer.peer} refused: this universal transport has no "websocket" or "web" settings`,
      );
      return;
    }
    await relay(
      conn,
      first,
      peer,
      (http.addr as Deno.NetAddr).port,
      relays,
      firstReadTimeout,
    );
  };
  let listener;
  try {
    listener = await bindEndpoint(
      config.endpoint,
      env,
      (address) =>
        asEndpointError(
          address,
          () =>
            listenStream(address, handle, {
              schemes: ["http", "https"],
              logger,
            }),
        ),
    );
  } catch (error) {
    await http?.close(Date.now());
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = (deadline = Date.now() + 10_000) =>
    closing ??= Promise.all([
      listener.close(deadline),
      http?.close(deadline),
    ]).then(() => {});
  return {
    url: listener.url,
    addr: listener.addr,
    close,
    [Symbol.asyncDispose]: () => close(),
  };
}

async function relay(
  conn: Deno.Conn,
  first: Uint8Array,
  peer: AcceptedPeer,
  port: number,
  relays: Map<number, RelayedPeer>,
  lingerSeconds: number | undefined,
): Promise<void> {
  const upstream = await Deno.connect({ hostname: "127.0.0.1", port });
  const key = (upstream.localAddr as Deno.NetAddr).port;
  relays.set(key, { remoteAddr: peer.remoteAddr, secure: peer.secure });
  try {
    upstream.setNoDelay(true);
    await writeAll(upstream, first);
    // Once the web listener has closed its side (a response with
    // `Connection: close`, its header timeout), the client gets as long
    // again to hang up; one that ignores the half-close would hold the relay.
    let linger: ReturnType<typeof setTimeout> | undefined;
    await Promise.all([
      pump(conn, upstream).finally(() => clearTimeout(linger)),
      pump(upstream, conn).then(() => {
        if (lingerSeconds === undefined) return;
        linger = setTimeout(() => {
          try {
            conn.close();
          } catch { /* already closed */ }
        }, lingerSeconds * 1000);
      }),
    ]);
  } catch {
    // Either side went away; both are closed below.
  } finally {
    relays.delete(key);
    try {
      upstream.close();
    } catch { /* already closed */ }
  }
}

/** Copies `from` into `to` until `from` ends, then half-closes `to`. */
async function pump(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(READ_SIZE);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      await writeAll(to, buffer.subarray(0, n));
    }
  } catch {
    // A reset on either side ends this direction.
  }
  try {
    await to.closeWrite();
  } catch {
    try {
      to.close();
    } catch { /* already closed */ }
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await conn.write(data.subarray(offset));
  }
}
