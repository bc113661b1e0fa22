/**
 * The `websocket` path service: a WAMP-over-WebSocket endpoint of the node's
 * router, mounted at a path of a web transport (Crossbar's
 * `{"type": "websocket"}`). It takes the config schema's output
 * (`WebSocketServiceConfig` from `lib/config`), where every default lives;
 * a config built as a value goes through `validateServiceConfig()` first.
 *
 * Request lifecycle (`handle()`):
 * 1. A path below the mount (`/ws/x`) → 404, as Crossbar's "No such child
 *    resource".
 * 2. No `Upgrade: websocket` header: GET/HEAD get the status page
 *    (`enable_webstatus`; `?redirect=<url>` → 303) or 426 when
 *    it is off; other methods get 405 with `Allow: GET, HEAD`.
 * 3. Upgrade: `Origin` is checked against `allowed_origins` (403), the
 *    subprotocol is the client's first offered `wamp.2.*` that `serializers`
 *    allows, read from the header split on commas with or without spaces
 *    (400 when none; with `require_websocket_subprotocol: false` a request
 *    offering none gets `wamp.2.json`). Every refusal is logged at warn with
 *    its reason.
 * 4. `Deno.upgradeWebSocket` (or `context.upgradeWebSocket` on the Node
 *    front end, `lib/web/_node_listener.ts`) → a `WebSocketTransport` (`lib/wamp/
 *    websocket_transport.ts`) attached to the router with this path's auth
 *    methods.
 *
 * Keep-alive: Deno offers only `idleTimeout` (seconds; it pings after that
 * much silence and closes when no pong arrives in time). With
 * `auto_ping_interval` set, `idleTimeout` = ceil((interval + timeout) / 1000)
 * with a timeout of 0 (off) standing for the interval. Without it there is no
 * keep-alive (`idleTimeout: 0`), as in Crossbar, whose auto-ping is off by
 * default; this also spares Deno's per-message idle-timer reset, worth
 * about a third of RPC throughput in `bench/wamp_bench.ts`.
 * `auto_ping_size`, `cookie`, `compression` and the other frame-level
 * options are accepted and ignored.
 *
 * @module
 */
import type {
  AuthMethod,
  ProcedureCaller,
} from "../../wamp/auth/authenticator.ts";
import { createAuthMethods } from "../../wamp/auth/mod.ts";
import type { Codec } from "../../wamp/codecs/codec.ts";
import { JSON_CODEC } from "../../wamp/codecs/mod.ts";
import type {
  Transport,
  TransportHandler,
  TransportInfo,
} from "../../wamp/transport.ts";
import { WebSocketTransport } from "../../wamp/websocket_transport.ts";
import type { Logger } from "../../log/logger.ts";
import type {
  WebSocketOptions,
  WebSocketServiceConfig,
} from "../../config/mod.ts";
import type { PathService, ServeContext } from "../path_service.ts";
import {
  offeredSubprotocols,
  type OriginPolicy,
  originPolicy,
  pickCodec,
} from "./_websocket_negotiate.ts";
import { statusResponse } from "./_websocket_status.ts";
import { allowedCodecs, idleTimeoutSeconds } from "./_websocket_config.ts";

/** What the service needs from the router. */
export interface WebSocketRouter extends ProcedureCaller {
  /** Attaches one connection; returns the router's side of it. */
  attach(
    transport: Transport,
    options: { authMethods: ReadonlyMap<string, AuthMethod> },
  ): TransportHandler;
}

/** What the node gives {@link createWebSocketService}. */
export interface WebSocketServiceEnv {
  /** The node's WAMP router. */
  readonly router: WebSocketRouter;
  /** Where connection problems are logged. */
  readonly logger: Logger;
  /** Prebuilt auth methods; by default built from `config.auth`. */
  readonly authMethods?: ReadonlyMap<string, AuthMethod> | undefined;
}

function plain(status: number, text: string, headers = {}): Response {
  return new Response(`${status} ${text}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/** The transport's receive limit: absent in the config means none. */
function maxMessageSize(
  options: WebSocketOptions,
): { maxMessageSize?: number } {
  const limit = options.max_message_size;
  return limit === undefined ? {} : { maxMessageSize: limit };
}

function peerOf(addr: Deno.NetAddr | Deno.UnixAddr): string {
  if (addr.transport === "unix" || addr.transport === "unixpacket") {
    return `unix:${(addr as Deno.UnixAddr).path}`;
  }
  const net = addr as Deno.NetAddr;
  return `${
    net.hostname.includes(":") ? "tcp6" : "tcp4"
  }:${net.hostname}:${net.port}`;
}

/**
 * Creates a websocket path service serving `env.router`.
 *
 * @param config The path's config as the schema outputs it (a config built
 * as a value goes through `validateServiceConfig()` from `lib/config`).
 * @param env Router, logger and (optionally) prebuilt auth methods.
 * @returns The path service.
 * @throws {TypeError} When `serializers` is empty.
 */
export function createWebSocketService(
  config: WebSocketServiceConfig,
  env: WebSocketServiceEnv,
): PathService {
  return new WebSocketService(config, env);
}

class WebSocketService implements PathService {
  readonly type = "websocket";
  #config: WebSocketServiceConfig;
  #options: WebSocketOptions;
  #router: WebSocketRouter;
  #logger: Logger;
  #authMethods: ReadonlyMap<string, AuthMethod>;
  #codecs: Map<string, Codec>;
  #origins: OriginPolicy;
  #idleTimeout: number;
  #transports = new Set<WebSocketTransport>();
  #closed = false;

  constructor(config: WebSocketServiceConfig, env: WebSocketServiceEnv) {
    this.#config = config;
    this.#options = config.options;
    this.#router = env.router;
    this.#logger = env.logger;
    this.#codecs = allowedCodecs(config.serializers);
    this.#authMethods = env.authMethods ??
      createAuthMethods(config.auth, env.router);
    this.#origins = originPolicy(
      this.#options.allowed_origins,
      this.#options.allow_null_origin,
    );
    this.#idleTimeout = idleTimeoutSeconds(this.#options);
  }

  handle(
    request: Request,
    context: ServeContext,
  ): Response | Promise<Response> {
    if (context.rest !== "/") {
      return plain(404, "Not Found: no such child resource");
    }
    const upgrade = request.headers.get("upgrade");
    if (upgrade === null || upgrade.toLowerCase() !== "websocket") {
      if (request.method !== "GET" && request.method !== "HEAD") {
        return plain(405, "Method Not Allowed", { allow: "GET, HEAD" });
      }
      return statusResponse(request, context.search, {
        url: this.#config.url,
        enabled: this.#options.enable_webstatus,
      });
    }
    if (this.#closed) return plain(503, "Service Unavailable: shutting down");
    if (request.method !== "GET") {
      return plain(405, "Method Not Allowed", { allow: "GET, HEAD" });
    }
    if (!this.#origins.allows(request.headers.get("origin"))) {
      return this.#refuse(
        request,
        context,
        403,
        "Forbidden: origin not allowed",
      );
    }
    const codec = this.#negotiate(request);
    if (typeof codec === "string") {
      return this.#refuse(request, context, 400, codec);
    }
    return codec === JSON_CODEC
      ? this.#upgrade(request, context, codec)
      : codec.load().then(() => this.#upgrade(request, context, codec));
  }

  /** The codec for the request, or the refusal text (400). */
  #negotiate(request: Request): Codec | string {
    const offered = offeredSubprotocols(
      request.headers.get("sec-websocket-protocol"),
    );
    const choices = [...this.#codecs.keys()].join(", ");
    if (offered.length === 0) {
      if (this.#options.require_websocket_subprotocol) {
        return `Bad Request: a WAMP WebSocket subprotocol is required (offer one of ${choices})`;
      }
      return this.#codecs.get(JSON_CODEC.subprotocol) ??
        this.#codecs.values().next().value!;
    }
    return pickCodec(offered, this.#codecs) ??
      `Bad Request: none of the offered subprotocols is supported here (offer one of ${choices})`;
  }

  /** Logs a refused upgrade at warn with its reason and answers `text`. */
  #refuse(
    request: Request,
    context: ServeContext,
    status: number,
    text: string,
  ): Response {
    const offered = request.headers.get("sec-websocket-protocol");
    this.#logger.warn(
      `Refused WebSocket upgrade on ${new URL(request.url).pathname} from ${
        peerOf(context.remoteAddr)
      }: ${status} ${text} (origin ${
        JSON.stringify(request.headers.get("origin"))
      }, subprotocols ${JSON.stringify(offered)})`,
    );
    return plain(status, text);
  }

  #upgrade(request: Request, context: ServeContext, codec: Codec): Response {
    const offered = request.headers.has("sec-websocket-protocol");
    // Read the request's facts first: Deno refuses access after the upgrade.
    const info = this.#info(request, context, codec);
    let upgraded: { socket: WebSocket; response: Response };
    try {
      upgraded = this.#acceptUpgrade(request, context, offered ? codec : null);
    } catch (error) {
      return this.#refuse(
        request,
        context,
        400,
        `Bad Request: invalid WebSocket upgrade: ${(error as Error).message}`,
      );
    }
    const transport = new WebSocketTransport(upgraded.socket, {
      codec,
      info,
      ...maxMessageSize(this.#options),
      logger: this.#logger,
    });
    const handler = this.#router.attach(transport, {
      authMethods: this.#authMethods,
    });
    this.#transports.add(transport);
    transport.start({
      onMessage: (message) => handler.onMessage(message),
      onProtocolError: (reason) => handler.onProtocolError(reason),
      onClose: () => {
        this.#transports.delete(transport);
        handler.onClose();
      },
    });
    if (this.#config.debug) {
      this.#logger.debug(
        `WAMP connection from ${transport.info.peer} (${codec.subprotocol})`,
      );
    }
    return upgraded.response;
  }

  /**
   * Upgrades with `codec`'s subprotocol in the response. `Deno.upgradeWebSocket`
   * checks its `protocol` option against the header split on `", "` only, so
   * it would refuse `wamp.2.json,wamp.2.msgpack` (autobahn-python, `ws`):
   * the choice is made by {@link offeredSubprotocols} and the header set on
   * the 101 response here. The Node front end (`ws`) parses the header
   * itself and takes the choice as `protocol`.
   */
  #acceptUpgrade(
    request: Request,
    context: ServeContext,
    codec: Codec | null,
  ): { socket: WebSocket; response: Response } {
    const options = { idleTimeout: this.#idleTimeout };
    if (context.upgradeWebSocket !== undefined) {
      return context.upgradeWebSocket(request, {
        ...options,
        ...(codec === null ? {} : { protocol: codec.subprotocol }),
      });
    }
    const upgraded = Deno.upgradeWebSocket(request, options);
    if (codec !== null) {
      upgraded.response.headers.set(
        "sec-websocket-protocol",
        codec.subprotocol,
      );
    }
    return upgraded;
  }

  #info(
    request: Request,
    context: ServeContext,
    codec: Codec,
  ): TransportInfo {
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return {
      type: "websocket",
      peer: peerOf(context.remoteAddr),
      serializer: codec.name,
      protocol: codec.subprotocol,
      secure: context.secure,
      httpHeaders: headers,
    };
  }

  /**
   * Refuses new upgrades, closes every connection (1001) and waits for the
   * close handshakes until `deadline` (default: 2 s from now).
   */
  async close(deadline: number = Date.now() + 2000): Promise<void> {
    this.#closed = true;
    const transports = [...this.#transports];
    for (const transport of transports) {
      transport.close(1001, "server shutting down");
    }
    if (transports.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    });
    await Promise.race([
      Promise.all(transports.map((t) => t.finished)),
      timeout,
    ]);
    clearTimeout(timer);
  }
}
