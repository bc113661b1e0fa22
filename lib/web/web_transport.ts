/**
 * A web transport: one `Deno.serve` listener whose requests are dispatched
 * through a {@link PathTable} to path services.
 *
 * Request lifecycle:
 * 1. `Deno.serve` accepts the request (`web_transport.ts`, `#dispatch`).
 * 2. The path is split off the URL without parsing it whole and matched in
 *    the path table (`path_table.ts`); no match gives a plain 404.
 * 3. The service answers (`PathService.handle`); a thrown error is logged and
 *    becomes a plain 500 (with the stack only under `display_tracebacks`).
 * 4. HSTS and the access log line are added on the way out
 *    (`_response_decor.ts`).
 *
 * With `request_header_timeout`, step 1 is watched by a header guard
 * (`_header_guard.ts`) that closes connections which send no complete
 * request head in time, which `Deno.serve` cannot do either.
 *
 * With client-certificate TLS (`tls.ca`) or an idle timeout
 * (`behaviour.clientTimeout`), which `Deno.serve` cannot do, step 1 is a
 * `node:http(s)` server instead (`_node_listener.ts`), feeding the same
 * dispatcher; it is slower, so it is used only then.
 *
 * @module
 */
import type { Logger } from "../log/logger.ts";
import type { PathService, ServeContext } from "./path_service.ts";
import type { PathTable } from "./path_table.ts";
import { finishResponse } from "./_response_decor.ts";
import { errorResponse } from "./error_page.ts";
import { refuseRequestLine } from "./_request_checks.ts";
import {
  type BodyLimits,
  ClientBodyError,
  serveWithBodyLimits,
} from "./_request_body.ts";
import type { DispatchInfo } from "./_node_listener.ts";
import { InFlight } from "./_in_flight.ts";
import { hostForUrl, removeStaleSocket } from "./_listen_address.ts";
import { type HeaderGuard, startHeaderGuard } from "./_header_guard.ts";

/** Where a web transport listens. */
export type ListenEndpoint =
  | {
    readonly kind: "tcp";
    /** Interface to bind, e.g. `"0.0.0.0"`, `"::"`, `"127.0.0.1"`. */
    readonly hostname: string;
    /** Port; 0 picks a free one. */
    readonly port: number;
    /**
     * PEM certificate chain and key: serve HTTPS. With `ca` (PEM CA
     * certificates), clients must present a certificate signed by one of
     * them.
     */
    readonly tls?: {
      readonly cert: string;
      readonly key: string;
      readonly ca?: readonly string[] | undefined;
    };
    /** Listen backlog. @default {the system's} */
    readonly backlog?: number;
    /** Let other processes bind the same port (`SO_REUSEPORT`). */
    readonly reusePort?: boolean;
  }
  | {
    readonly kind: "unix";
    /** Absolute path of the socket file (an existing file is replaced). */
    readonly path: string;
  };

/** Behaviour switches from the transport's `options`. */
export interface WebBehaviour {
  /** Log one line per request. @default {false} */
  readonly accessLog: boolean;
  /** Put the stack trace into 500 pages. @default {false} */
  readonly displayTracebacks: boolean;
  /** `Strict-Transport-Security: max-age=N` on every response, or off. */
  readonly hstsMaxAge: number | undefined;
  /**
   * Seconds a connection with no request in progress may stay open
   * (Crossbar's `client_timeout`); none when absent. @default {undefined}
   */
  readonly clientTimeout?: number | undefined;
  /**
   * Seconds a connection may take to send a complete request head, counted
   * from when it opens or its previous response ends
   * (`request_header_timeout`); none when absent. @default {undefined}
   */
  readonly headerTimeout?: number | undefined;
  /**
   * The deadline of request bodies (`request_body_timeout`,
   * `request_body_min_rate`); none when absent. @default {undefined}
   */
  readonly bodyLimits?: BodyLimits | undefined;
}

/** Options for {@link listenWebTransport}. */
export interface WebTransportOptions {
  /** Where to listen. */
  readonly endpoint: ListenEndpoint;
  /** The services by path. */
  readonly table: PathTable<PathService>;
  /** Logging, HSTS and error pages. */
  readonly behaviour: WebBehaviour;
  /** Receives the access log and errors. */
  readonly logger: Logger;
  /**
   * For a listener fed by a relay (the universal transport's HTTP side):
   * maps the address a request arrived from to the original client's
   * address and TLS flag. A request whose address it does not know (not
   * relayed) gets 403.
   */
  readonly relayed?:
    | ((addr: Deno.NetAddr | Deno.UnixAddr) => RelayedPeer | undefined)
    | undefined;
}

/** The original client behind a relayed connection. */
export interface RelayedPeer {
  /** The client's address. */
  readonly remoteAddr: Deno.NetAddr | Deno.UnixAddr;
  /** Whether the client connected over TLS. */
  readonly secure: boolean;
}

/** A listening web transport. */
export interface WebTransport extends AsyncDisposable {
  /** Base URL: `http://127.0.0.1:8080`, or `unix:/path/to.sock`. */
  readonly url: string;
  /** The bound address. */
  readonly addr: Deno.NetAddr | Deno.UnixAddr;
  /**
   * Stops accepting connections and waits for in-flight requests until
   * `deadline` (a `Date.now()` value), then cuts the rest. Does not close the
   * services; the node does that. Idempotent.
   */
  close(deadline?: number): Promise<void>;
  /**
   * Stops taking requests (new ones get 503) and resolves once none is in
   * progress, or at `deadline`; the connections, WebSockets included, stay
   * open until {@link close}. Absent where the server cannot do it.
   */
  quiesce?(deadline: number): Promise<void>;
}

/**
 * Starts listening and serving.
 *
 * @param options Endpoint, path table, behaviour and logger.
 * @returns The running transport.
 * @throws {Deno.errors.AddrInUse} When the port is taken.
 */
export async function listenWebTransport(
  options: WebTransportOptions,
): Promise<WebTransport> {
  const { endpoint } = options;
  if (endpoint.kind === "unix") await removeStaleSocket(endpoint.path);
  const secure = endpoint.kind === "tcp" && endpoint.tls !== undefined;
  const dispatch = createDispatcher(options, secure);
  if (needsNodeListener(options)) return await serveOnNode(options, dispatch);
  const serveOptions = endpoint.kind === "unix" ? { path: endpoint.path } : {
    hostname: endpoint.hostname,
    port: endpoint.port,
    ...(endpoint.reusePort ? { reusePort: true } : {}),
    ...(endpoint.tls ?? {}),
  };
  const inFlight = new InFlight();
  let guard: HeaderGuard | undefined;
  const server = Deno.serve({
    ...serveOptions,
    onListen: () => {},
    onError: (error) => {
      options.logger.error(`Unhandled error: ${describe(error)}`);
      return errorResponse(500, undefined);
    },
  }, (request, info) => {
    if (guard === undefined) return inFlight.run(() => dispatch(request, info));
    // Read once: each read of `info.remoteAddr` is a call into Deno.
    const remoteAddr = info.remoteAddr as Deno.NetAddr;
    const watch = guard.track(info, remoteAddr);
    return inFlight.run(() => dispatch(request, { remoteAddr, watch }));
  });
  // Only tcp and unix listeners are created here, never vsock.
  const addr = server.addr as Deno.NetAddr | Deno.UnixAddr;
  const headerTimeout = options.behaviour.headerTimeout;
  if (headerTimeout !== undefined && addr.transport === "tcp") {
    guard = await startHeaderGuard({
      listener: addr,
      timeout: headerTimeout,
      logger: options.logger,
    });
  }
  const url = "path" in addr
    ? `unix:${addr.path}`
    : `${secure ? "https" : "http"}://${
      hostForUrl(addr.hostname)
    }:${addr.port}`;
  let closing: Promise<void> | undefined;
  const close = (deadline = Date.now() + 10_000) =>
    closing ??= inFlight.drain(deadline)
      .then(() => shutdown(server, deadline))
      .finally(() => guard?.close());
  const quiesce = (deadline: number) => inFlight.drain(deadline);
  return { url, addr, close, quiesce, [Symbol.asyncDispose]: () => close() };
}

/** Whether the transport needs what only the `node:http(s)` server offers. */
function needsNodeListener(options: WebTransportOptions): boolean {
  const { endpoint, behaviour } = options;
  const verify = endpoint.kind === "tcp" && (endpoint.tls?.ca?.length ?? 0) > 0;
  return verify || behaviour.clientTimeout !== undefined;
}

async function serveOnNode(
  options: WebTransportOptions,
  dispatch: ReturnType<typeof createDispatcher>,
): Promise<WebTransport> {
  const { endpoint } = options;
  if (endpoint.kind === "tcp" && endpoint.reusePort) {
    throw new TypeError(
      'Cannot share the port ("shared": true) of a transport with ' +
        '"ca_certificates" or "client_timeout": the Node-compatible server ' +
        "they need does not support SO_REUSEPORT",
    );
  }
  // Loaded on demand: Node compatibility and `ws` cost start-up time.
  const { listenNode } = await import("./_node_listener.ts");
  const listener = await listenNode({
    address: endpoint.kind === "unix" ? endpoint : {
      kind: "tcp",
      hostname: endpoint.hostname,
      port: endpoint.port,
      backlog: endpoint.backlog,
    },
    tls: endpoint.kind === "tcp" ? endpoint.tls : undefined,
    clientTimeout: options.behaviour.clientTimeout,
    headerTimeout: options.behaviour.headerTimeout,
    logger: options.logger,
  }, dispatch);
  const addr = listener.addr;
  const url = "path" in addr
    ? `unix:${addr.path}`
    : `${endpoint.kind === "tcp" && endpoint.tls ? "https" : "http"}://${
      hostForUrl(addr.hostname)
    }:${addr.port}`;
  let closing: Promise<void> | undefined;
  const close = (deadline = Date.now() + 10_000) =>
    closing ??= listener.close(deadline);
  return { url, addr, close, [Symbol.asyncDispose]: () => close() };
}

function createDispatcher(options: WebTransportOptions, secure: boolean) {
  const { table, behaviour, logger } = options;
  const access = behaviour.accessLog ? logger.child("access") : undefined;
  return async (
    request: Request,
    info: DispatchInfo,
  ): Promise<Response> => {
    const started = access ? performance.now() : 0;
    const url = request.url;
    const pathStart = url.indexOf("/", url.indexOf("://") + 3);
    const queryStart = url.indexOf("?", pathStart);
    const pathname = queryStart === -1
      ? url.slice(pathStart)
      : url.slice(pathStart, queryStart);
    // Only tcp and unix listeners are created here, never vsock.
    let remoteAddr = info.remoteAddr;
    let isSecure = secure;
    if (options.relayed !== undefined) {
      const peer = options.relayed(remoteAddr);
      if (peer === undefined) return errorResponse(403, undefined);
      remoteAddr = peer.remoteAddr;
      isSecure = peer.secure;
    }
    const refused = refuseRequestLine(request.method, url, pathStart);
    const hit = refused ? undefined : table.match(pathname);
    let response: Response;
    if (refused !== undefined) {
      response = refused;
    } else if (hit === undefined) {
      response = errorResponse(404, undefined);
    } else {
      const context: ServeContext = {
        prefix: hit.prefix,
        rest: hit.rest,
        search: queryStart === -1 ? "" : url.slice(queryStart),
        remoteAddr,
        secure: isSecure,
        // Lazy: reading request.signal costs ~25 µs per request in Deno 2.9.
        get signal() {
          return request.signal;
        },
        // Set only by the Node front end (`_node_listener.ts`).
        clientCertificate: info.clientCertificate,
        upgradeWebSocket: info.upgradeWebSocket,
      };
      try {
        response = await serveWithBodyLimits(
          hit.service,
          request,
          context,
          behaviour.bodyLimits,
        );
      } catch (error) {
        if (error instanceof ClientBodyError) {
          logger.info(
            `${request.method} ${pathname}: ${error.message} (answered ${error.status})`,
          );
          // A body cut short leaves the connection unusable: close it.
          response = errorResponse(
            error.status,
            undefined,
            error.status === 408 ? { connection: "close" } : undefined,
          );
        } else {
          logger.error(
            `Service "${hit.service.type}" at "${
              hit.prefix || "/"
            }" failed on ${request.method} ${pathname}: ${describe(error)}`,
          );
          response = errorResponse(
            500,
            behaviour.displayTracebacks ? error : undefined,
          );
        }
      }
    }
    if (response.status === 101) info.watch?.upgraded();
    return finishResponse(response, {
      hstsMaxAge: behaviour.hstsMaxAge,
      access: access && {
        logger: access,
        started,
        method: request.method,
        // The request target as sent: the query string is part of it.
        path: url.slice(pathStart),
        remote: remoteAddr,
      },
    });
  };
}

async function shutdown(server: Deno.HttpServer, deadline: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(
      () => resolve("late"),
      Math.max(0, deadline - Date.now()),
    );
  });
  const drained = server.shutdown().then(() => "drained" as const);
  const outcome = await Promise.race([drained, late]);
  clearTimeout(timer);
  if (outcome === "late") {
    // Connections that outlive the grace period are cut when the process
    // exits; the listener itself is already closed.
    return;
  }
}

function describe(error: unknown): string {
  return error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
}
