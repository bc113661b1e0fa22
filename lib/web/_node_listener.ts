/**
 * A web transport front end on Deno's `node:http`/`node:https` server, for
 * what `Deno.serve` cannot do: verifying client certificates
 * (`ca_certificates`) and closing idle connections (`client_timeout`).
 * `web_transport.ts` uses it only when one of those is configured; requests
 * go through the same dispatcher as on `Deno.serve`.
 *
 * Request lifecycle:
 * 1. The Node server accepts the connection (TLS with `requestCert` and
 *    `rejectUnauthorized` when CAs are given: a client without a certificate
 *    signed by one of them never gets to send a request).
 * 2. `request`: the Node request becomes a web `Request`
 *    (`_node_request.ts`), the dispatcher answers it, and the `Response` is
 *    streamed back (`_node_request.ts`).
 * 3. `upgrade`: the same, with `ServeContext.upgradeWebSocket` set; the
 *    WebSocket handshake is finished by npm `ws` (`_node_websocket.ts`).
 * 4. Idle timeout: a connection with no request in progress is closed after
 *    `clientTimeout` seconds without traffic (Twisted's `TimeoutMixin` on
 *    Crossbar's HTTP channel, which it suspends while a request runs).
 * 5. Header timeout: a connection that has not sent a complete request head
 *    (or finished its TLS handshake) within `headerTimeout` seconds of
 *    opening is closed by the Node server itself (`headTimeouts`).
 *
 * @module
 */
import type { Buffer } from "node:buffer";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { TLSSocket } from "node:tls";
import type { Logger } from "../log/logger.ts";
import type { ClientCertificate } from "./path_service.ts";
import {
  BadNodeRequestError,
  toWebRequest,
  writeRawResponse,
  writeWebResponse,
} from "./_node_request.ts";
import { createUpgradeServer, NodeUpgrade } from "./_node_websocket.ts";

/** An error of Node's HTTP server, with its code. */
type NodeError = Error & { code?: string };

/** What the front end tells the dispatcher besides the request. */
export interface DispatchInfo {
  /** The client's address. */
  readonly remoteAddr: Deno.NetAddr | Deno.UnixAddr;
  /** The verified client certificate, if the TLS asked for one. */
  readonly clientCertificate?: ClientCertificate | undefined;
  /** Accepts a WebSocket upgrade where `Deno.upgradeWebSocket` cannot. */
  readonly upgradeWebSocket?: typeof Deno.upgradeWebSocket | undefined;
  /** Told when the response takes the connection out of HTTP. */
  readonly watch?: ConnectionWatch | undefined;
}

/** Learns what becomes of a request's connection. */
export interface ConnectionWatch {
  /** The response switched the connection to another protocol (101). */
  upgraded(): void;
}

/** The shared request dispatcher of a web transport. */
export type Dispatch = (
  request: Request,
  info: DispatchInfo,
) => Promise<Response>;

/** Where a Node front end listens. */
export type NodeListenAddress =
  | {
    readonly kind: "tcp";
    /** Interface to bind. */
    readonly hostname: string;
    /** Port; 0 picks a free one. */
    readonly port: number;
    /** Listen backlog. @default {the system's} */
    readonly backlog?: number | undefined;
  }
  | {
    readonly kind: "unix";
    /** Path of the socket file (a stale one must be removed first). */
    readonly path: string;
  };

/** Options for {@link listenNode}. */
export interface NodeListenOptions {
  /** Where to listen. */
  readonly address: NodeListenAddress;
  /** PEM certificate chain, key, and CAs whose client certificates pass. */
  readonly tls?: {
    readonly cert: string;
    readonly key: string;
    readonly ca?: readonly string[] | undefined;
  } | undefined;
  /** Seconds an idle connection may stay open; none when absent. */
  readonly clientTimeout?: number | undefined;
  /**
   * Seconds a connection may take to send a complete request head (TLS
   * handshake included); none when absent.
   */
  readonly headerTimeout?: number | undefined;
  /** Receives errors. */
  readonly logger: Logger;
}

/** A listening Node front end. */
export interface NodeListener {
  /** The bound address. */
  readonly addr: Deno.NetAddr | Deno.UnixAddr;
  /** Stops accepting, waits for requests until `deadline`, then cuts. */
  close(deadline: number): Promise<void>;
}

/**
 * Starts a `node:http(s)` server that feeds `dispatch`.
 *
 * @param options Address, TLS, idle timeout and logger.
 * @param dispatch The transport's dispatcher.
 * @returns The listener once it is bound.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 */
export async function listenNode(
  options: NodeListenOptions,
  dispatch: Dispatch,
): Promise<NodeListener> {
  const front = new NodeFrontEnd(options, dispatch);
  await front.listen();
  return front;
}

class NodeFrontEnd implements NodeListener {
  #options: NodeListenOptions;
  #dispatch: Dispatch;
  #server: Server;
  #secure: boolean;
  #verifyClients: boolean;
  #upgrades = createUpgradeServer();
  /** Requests in progress per connection (HTTP connections only). */
  #busy = new Map<Socket, number>();
  #certificates = new WeakMap<Socket, ClientCertificate | undefined>();
  #addr: Deno.NetAddr | Deno.UnixAddr | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: NodeListenOptions, dispatch: Dispatch) {
    this.#options = options;
    this.#dispatch = dispatch;
    const tls = options.tls;
    this.#secure = tls !== undefined;
    this.#verifyClients = (tls?.ca?.length ?? 0) > 0;
    const timeouts = headTimeouts(options.headerTimeout);
    this.#server = tls === undefined
      ? createHttpServer(timeouts)
      : createHttpsServer({
        ...timeouts,
        cert: tls.cert,
        key: tls.key,
        ...(this.#verifyClients && {
          ca: [...tls.ca!],
          requestCert: true,
          rejectUnauthorized: true,
        }),
      });
    this.#server.on("request", (req, res) => this.#onRequest(req, res));
    this.#server.on("upgrade", (req, socket, head) => {
      this.#onUpgrade(req, socket, head);
    });
    this.#server.on(this.#secure ? "secureConnection" : "connection", (s) => {
      this.#track(s as Socket);
    });
    this.#server.on("clientError", (error: NodeError, socket: Duplex) => {
      if (socket.writable) {
        // The header timeout (`headTimeouts`) reports itself as this error.
        const status = error.code === "ERR_HTTP_REQUEST_TIMEOUT"
          ? "408 Request Timeout"
          : "400 Bad Request";
        socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\n\r\n`);
      }
      socket.destroy();
    });
    this.#server.on("tlsClientError", () => {}); // refused handshakes
    const timeout = options.clientTimeout;
    if (timeout !== undefined) {
      this.#server.keepAliveTimeout = timeout * 1000;
      this.#server.setTimeout(timeout * 1000, (socket: Socket) => {
        // A running request suspends the idle timeout; writes re-arm it.
        if ((this.#busy.get(socket) ?? 0) === 0) socket.destroy();
      });
    }
  }

  get addr(): Deno.NetAddr | Deno.UnixAddr {
    return this.#addr!;
  }

  listen(): Promise<void> {
    const address = this.#options.address;
    const listenOptions = address.kind === "unix" ? { path: address.path } : {
      host: address.hostname,
      port: address.port,
      backlog: address.backlog,
    };
    return new Promise((resolve, reject) => {
      const onError = (error: NodeError) => {
        reject(
          error.code === "EADDRINUSE"
            ? new Deno.errors.AddrInUse(error.message, { cause: error })
            : error,
        );
      };
      this.#server.once("error", onError);
      this.#server.listen(listenOptions, () => {
        this.#server.off("error", onError);
        this.#server.on("error", (error: Error) => {
          this.#options.logger.error(`Listener error: ${error.message}`);
        });
        const bound = this.#server.address();
        if (bound === null || typeof bound === "string") {
          this.#addr = { transport: "unix", path: bound ?? "" };
        } else {
          this.#addr = {
            transport: "tcp",
            hostname: bound.address,
            port: bound.port,
          };
        }
        resolve();
      });
    });
  }

  #track(socket: Socket): void {
    this.#busy.set(socket, 0);
    socket.once("close", () => this.#busy.delete(socket));
    socket.on("error", () => {}); // reported as a close
  }

  #info(socket: Socket): DispatchInfo {
    const remoteAddr: Deno.NetAddr | Deno.UnixAddr =
      this.#addr!.transport === "unix" ? this.#addr! : {
        transport: "tcp",
        hostname: socket.remoteAddress ?? "",
        port: socket.remotePort ?? 0,
      };
    if (!this.#verifyClients) return { remoteAddr };
    return { remoteAddr, clientCertificate: this.#certificate(socket) };
  }

  #certificate(socket: Socket): ClientCertificate | undefined {
    if (this.#certificates.has(socket)) return this.#certificates.get(socket);
    let certificate: ClientCertificate | undefined;
    try {
      const peer = (socket as TLSSocket).getPeerCertificate();
      if (peer && peer.subject) {
        certificate = {
          subject: flattenSubject({ ...peer.subject }),
          fingerprint256: peer.fingerprint256 || undefined,
        };
      }
    } catch { /* no certificate facts available */ }
    this.#certificates.set(socket, certificate);
    return certificate;
  }

  #urlParts() {
    const addr = this.#addr!;
    if ("path" in addr) {
      return { secure: this.#secure, fallbackHost: "localhost" };
    }
    const host = addr.hostname.includes(":")
      ? `[${addr.hostname}]`
      : addr.hostname;
    return { secure: this.#secure, fallbackHost: `${host}:${addr.port}` };
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    this.#busy.set(socket, (this.#busy.get(socket) ?? 0) + 1);
    let done = false;
    const controller = new AbortController();
    const finish = () => {
      if (done) return;
      done = true;
      const count = this.#busy.get(socket);
      if (count !== undefined) this.#busy.set(socket, Math.max(0, count - 1));
      if (!res.writableFinished) controller.abort();
    };
    res.once("finish", finish);
    res.once("close", finish);
    this.#serve(req, res, controller.signal).catch((error) => {
      this.#options.logger.error(
        `Failed to answer ${req.method} ${req.url}: ${describe(error)}`,
      );
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end("500 Internal Server Error\n");
      } else {
        res.destroy();
      }
    });
  }

  async #serve(
    req: IncomingMessage,
    res: ServerResponse,
    signal: AbortSignal,
  ): Promise<void> {
    let request: Request;
    try {
      request = toWebRequest(req, this.#urlParts(), signal);
    } catch (error) {
      if (!(error instanceof BadNodeRequestError)) throw error;
      res.statusCode = 400;
      res.setHeader("content-type", "text/plain; charset=utf-8");
      res.end(`400 Bad Request\n`);
      return;
    }
    const response = await this.#dispatch(request, this.#info(req.socket));
    await writeWebResponse(response, res, req.method === "HEAD");
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => {}); // reported as a close
    // The connection leaves HTTP: it no longer counts for the idle timeout
    // or the drain on close; the websocket service closes it.
    this.#busy.delete(req.socket);
    this.#upgrade(req, socket, head).catch((error) => {
      this.#options.logger.error(
        `Failed to answer the upgrade of ${req.url}: ${describe(error)}`,
      );
      socket.destroy();
    });
  }

  async #upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    const upgrade = new NodeUpgrade();
    const controller = new AbortController();
    socket.once("close", () => controller.abort());
    let request: Request;
    try {
      // Any upgrade lands here (also `h2c`): serve it, without a body.
      request = toWebRequest(
        req,
        { ...this.#urlParts(), body: false },
        controller.signal,
      );
    } catch (error) {
      if (!(error instanceof BadNodeRequestError)) throw error;
      await writeRawResponse(
        new Response("400 Bad Request\n", { status: 400 }),
        socket,
      );
      return;
    }
    const info: DispatchInfo = {
      ...this.#info(req.socket),
      upgradeWebSocket: upgrade.upgradeWebSocket,
    };
    const response = await this.#dispatch(request, info);
    if (upgrade.complete(response, this.#upgrades, { req, socket, head })) {
      return;
    }
    await writeRawResponse(response, socket);
  }

  close(deadline: number): Promise<void> {
    return this.#closing ??= this.#shutdown(deadline);
  }

  async #shutdown(deadline: number): Promise<void> {
    // Stops accepting; its callback would also wait for upgraded sockets,
    // which the websocket service closes, so drain HTTP connections here.
    this.#server.close();
    this.#upgrades.close();
    while (this.#busy.size > 0 && Date.now() < deadline) {
      // Idle connections go now, busy ones once their request is done.
      for (const [socket, count] of this.#busy) {
        if (count === 0) socket.destroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const socket of this.#busy.keys()) socket.destroy();
  }
}

/**
 * The Node server's own head timeouts: `headersTimeout` (which Deno's
 * `node:http` checks every `connectionsCheckingInterval`, 30 s unless set;
 * it also covers a connection that sends nothing) and the TLS handshake's.
 * Like Deno.serve, no cap on how long receiving a whole request may take
 * (Node's `requestTimeout` cuts uploads after 5 minutes); the transport's
 * body limits do that.
 */
function headTimeouts(seconds: number | undefined) {
  if (seconds === undefined) return { requestTimeout: 0, headersTimeout: 0 };
  const ms = seconds * 1000;
  return {
    requestTimeout: 0,
    headersTimeout: ms,
    // Closed at most one check late: a fifth of the timeout, 0.1 to 1 s.
    connectionsCheckingInterval: Math.min(1000, Math.max(100, ms / 5)),
    handshakeTimeout: ms,
  };
}

function flattenSubject(
  subject: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(subject)) {
    if (value === undefined) continue;
    flat[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}
