/**
 * A plain stream listener (TCP, TLS or a Unix socket) for transports that
 * are not HTTP: `rawsocket`, and `universal`, which looks at the first
 * octets itself. Every accepted connection goes to a handler; close stops
 * accepting, waits for the handlers until the deadline, then cuts the rest.
 *
 * @module
 */
import type { ListenEndpoint } from "../web/web_transport.ts";
import type { Logger } from "../log/logger.ts";
import { hostForUrl, removeStaleSocket } from "../web/_listen_address.ts";

/** Facts about an accepted connection. */
export interface AcceptedPeer {
  /**
   * Aborted when the listener starts closing: a connection that has not
   * begun a session yet (no handshake) should close at once.
   */
  readonly closing: AbortSignal;
  /** Crossbar's form: `tcp4:127.0.0.1:54321`, `unix:/path`. */
  readonly peer: string;
  /** The client's address. */
  readonly remoteAddr: Deno.NetAddr | Deno.UnixAddr;
  /** Whether the connection is TLS. */
  readonly secure: boolean;
}

/** Serves one accepted connection; resolves when it is gone. */
export type ConnectionHandler = (
  conn: Deno.Conn,
  peer: AcceptedPeer,
) => Promise<void>;

/** A listening stream endpoint. */
export interface StreamListener extends AsyncDisposable {
  /** `rs://127.0.0.1:9000`, `rss://…` with TLS, `unix:/path` (or http/https). */
  readonly url: string;
  /** The bound address. */
  readonly addr: Deno.NetAddr | Deno.UnixAddr;
  /**
   * Stops accepting, waits for open connections until `deadline` (a
   * `Date.now()` value), then closes what is left. Idempotent.
   */
  close(deadline?: number): Promise<void>;
}

/**
 * Crossbar's peer string for an address.
 *
 * @param addr A tcp or unix address.
 */
export function peerString(addr: Deno.Addr): string {
  if (addr.transport === "unix" || addr.transport === "unixpacket") {
    // An accepted unix socket's client side usually has no path.
    const path = (addr as Deno.UnixAddr).path;
    return path ? `unix:${path}` : "unix";
  }
  const net = addr as Deno.NetAddr;
  return `${
    net.hostname.includes(":") ? "tcp6" : "tcp4"
  }:${net.hostname}:${net.port}`;
}

/**
 * Listens on `address` and hands every connection to `handle`.
 *
 * @param address Where to listen (PEM `tls` on tcp serves TLS).
 * @param handle Serves one connection.
 * @param options `schemes`: URL schemes for plain and TLS; the logger.
 * @returns The listener.
 * @throws {TypeError} For `tls.ca` (client certificates), which
 * `Deno.listenTls` cannot ask for.
 */
export async function listenStream(
  address: ListenEndpoint,
  handle: ConnectionHandler,
  options: {
    readonly schemes: readonly [plain: string, tls: string];
    readonly logger: Logger;
  },
): Promise<StreamListener> {
  let listener: Deno.Listener;
  let secure = false;
  if (address.kind === "unix") {
    await removeStaleSocket(address.path);
    listener = Deno.listen({ transport: "unix", path: address.path });
  } else if (address.tls !== undefined) {
    if ((address.tls.ca?.length ?? 0) > 0) {
      throw new TypeError(
        "client certificates (ca_certificates) are not supported on " +
          "rawsocket and universal transports yet",
      );
    }
    secure = true;
    listener = Deno.listenTls({
      hostname: address.hostname,
      port: address.port,
      cert: address.tls.cert,
      key: address.tls.key,
      ...(address.reusePort ? { reusePort: true } : {}),
    });
  } else {
    listener = Deno.listen({
      hostname: address.hostname,
      port: address.port,
      ...(address.reusePort ? { reusePort: true } : {}),
    });
  }
  const addr = listener.addr as Deno.NetAddr | Deno.UnixAddr;
  const open = new Set<Deno.Conn>();
  const closingController = new AbortController();
  const running = new Set<Promise<void>>();
  const accepting = (async () => {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (
          error instanceof Deno.errors.BadResource ||
          error instanceof Deno.errors.Interrupted
        ) return;
        options.logger.warn(
          `Accepting a connection failed: ${(error as Error).message}`,
        );
        continue;
      }
      const tcp = conn as Partial<Deno.TcpConn>;
      if (typeof tcp.setNoDelay === "function") {
        try {
          tcp.setNoDelay(true);
        } catch { /* not a tcp socket after all */ }
      }
      open.add(conn);
      const peer: AcceptedPeer = {
        peer: peerString(conn.remoteAddr),
        remoteAddr: conn.remoteAddr as Deno.NetAddr | Deno.UnixAddr,
        secure,
        closing: closingController.signal,
      };
      const done = handle(conn, peer).catch((error) => {
        options.logger.warn(
          `Connection from ${peer.peer} failed: ${(error as Error).message}`,
        );
      }).finally(() => {
        open.delete(conn);
        running.delete(done);
        try {
          conn.close();
        } catch { /* already closed */ }
      });
      running.add(done);
    }
  })();
  const url = "path" in addr
    ? `unix:${addr.path}`
    : `${secure ? options.schemes[1] : options.schemes[0]}://${
      hostForUrl(addr.hostname)
    }:${addr.port}`;
  let closing: Promise<void> | undefined;
  const close = (deadline = Date.now() + 10_000) =>
    closing ??= (async () => {
      try {
        listener.close();
      } catch { /* already closed */ }
      closingController.abort();
      await accepting;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      await Promise.race([Promise.all([...running]), late]);
      clearTimeout(timer);
      for (const conn of open) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      await Promise.all([...running]);
    })();
  return { url, addr, close, [Symbol.asyncDispose]: () => close() };
}
