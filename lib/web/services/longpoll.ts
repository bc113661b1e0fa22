/**
 * The `longpoll` path service: WAMP over HTTP long-polling, as the WAMP
 * spec's "HTTP Longpoll Transport" and Crossbar define it, for clients
 * that cannot open a WebSocket (autobahn-js's `longpoll` transport).
 *
 * Request lifecycle (`handle()`), below the mount path:
 * - `POST /open` with `{"protocols": [...]}`: the first offered
 *   `wamp.2.json|msgpack|cbor[.batched]` is chosen; 200
 *   `{"transport": <id>, "protocol": <chosen>}`. Bad JSON, no `protocols`
 *   or no common protocol: 400.
 * - `POST /<id>/send`: the body is one message (a batch on a batched
 *   protocol), handed to the router; 204. Undecodable: 400.
 * - `POST /<id>/receive`: answered with one queued message (every queued
 *   one on a batched protocol) in the serializer's MIME type, held until
 *   one comes, or 204 after `request_timeout` seconds so the client polls
 *   again (Crossbar holds it forever, and autobahn-js gives up after 12 s).
 * - `POST /<id>/close`: the session is closed; 204.
 * - `GET /<id>`: `{"transport", "protocol"}`. `GET /`: a short HTML notice.
 * - An unknown id: 404. `OPTIONS`: a CORS preflight answer.
 *
 * Every answer carries Crossbar's CORS and no-cache headers. A session with
 * no send or receive for `session_timeout` seconds (and no receive held)
 * is closed. Sessions are anonymous (role `anonymous`), as in Crossbar.
 *
 * @module
 */
import type { PathServiceConfig } from "../../config/mod.ts";
import type { AuthMethod } from "../../wamp/auth/authenticator.ts";
import { createAuthMethods } from "../../wamp/auth/mod.ts";
import type { Codec } from "../../wamp/codecs/codec.ts";
import { codecForSubprotocol } from "../../wamp/codecs/mod.ts";
import type { Logger } from "../../log/logger.ts";
import type { PathService, ServeContext } from "../path_service.ts";
import type { WebSocketRouter } from "./websocket_service.ts";
import { LongPollTransport } from "./_longpoll_transport.ts";
import { concatBytes } from "../../bytes/concat.ts";

/** The validated config of a `longpoll` path. */
export type LongPollServiceConfig = Extract<
  PathServiceConfig,
  { type: "longpoll" }
>;

/** What the node gives {@link createLongPollService}. */
export interface LongPollServiceEnv {
  /** The worker's router. */
  readonly router: WebSocketRouter;
  /** The service's logger. */
  readonly logger: Logger;
}

/** Protocols a long-poll client may choose, in the server's knowledge. */
const PROTOCOLS = [
  "wamp.2.json",
  "wamp.2.msgpack",
  "wamp.2.cbor",
  "wamp.2.json.batched",
  "wamp.2.msgpack.batched",
  "wamp.2.cbor.batched",
];

const MIME: Record<string, string> = {
  json: "application/json; charset=utf-8",
  msgpack: "application/x-msgpack",
  cbor: "application/cbor",
};

/** Largest `open` body (a protocol list). */
const MAX_OPEN_BODY = 64 * 1024;
/** Largest `send` body: a RawSocket-sized message. */
const MAX_SEND_BODY = 16 * 1024 * 1024;
const ID_ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Creates a longpoll path service for `env.router`.
 *
 * @param config The path's validated config.
 * @param env Router and logger.
 */
export function createLongPollService(
  config: LongPollServiceConfig,
  env: LongPollServiceEnv,
): PathService {
  return new LongPollService(config, env);
}

function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let id = "";
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

function peerOf(addr: Deno.NetAddr | Deno.UnixAddr): string {
  if ("path" in addr) return addr.path ? `unix:${addr.path}` : "unix";
  return `${
    addr.hostname.includes(":") ? "tcp6" : "tcp4"
  }:${addr.hostname}:${addr.port}`;
}

class LongPollService implements PathService {
  readonly type = "longpoll";
  #options: LongPollServiceConfig["options"];
  #router: WebSocketRouter;
  #logger: Logger;
  #authMethods: ReadonlyMap<string, AuthMethod>;
  #transports = new Map<string, LongPollTransport>();
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(config: LongPollServiceConfig, env: LongPollServiceEnv) {
    this.#options = config.options;
    this.#router = env.router;
    this.#logger = env.logger;
    this.#authMethods = createAuthMethods(undefined, env.router);
  }

  async handle(request: Request, context: ServeContext): Promise<Response> {
    const headers = corsHeaders(request);
    if (this.#options.debug) {
      this.#logger.debug(
        `${request.method} ${context.prefix}${context.rest} from ${
          peerOf(context.remoteAddr)
        }`,
      );
    }
    if (request.method === "OPTIONS") {
      headers.set("access-control-allow-methods", "GET, POST, OPTIONS");
      return new Response(null, { status: 204, headers });
    }
    const parts = context.rest.split("/").filter((p) => p.length > 0);
    if (parts.length === 0) {
      if (request.method !== "GET" && request.method !== "HEAD") {
        return text(405, "Method Not Allowed", headers, { allow: "GET" });
      }
      headers.set("content-type", "text/html; charset=utf-8");
      return new Response(
        "<!DOCTYPE html><html><body><p>This is a WAMP long-poll " +
          "endpoint (POST open, then &lt;transport&gt;/send, /receive, " +
          "/close).</p></body></html>\n",
        { headers },
      );
    }
    if (parts.length === 1 && parts[0] === "open") {
      if (request.method !== "POST") {
        return text(405, "Method Not Allowed", headers, { allow: "POST" });
      }
      return await this.#open(request, context, headers);
    }
    const transport = this.#transports.get(parts[0]!);
    if (transport === undefined || parts.length > 2) {
      return text(404, "Not Found: no such transport", headers);
    }
    if (parts.length === 1) {
      if (request.method !== "GET") {
        return text(405, "Method Not Allowed", headers, { allow: "GET" });
      }
      headers.set("content-type", "application/json");
      return new Response(
        JSON.stringify({
          transport: transport.id,
          protocol: transport.codec.subprotocol,
        }),
        { headers },
      );
    }
    if (request.method !== "POST") {
      return text(405, "Method Not Allowed", headers, { allow: "POST" });
    }
    switch (parts[1]) {
      case "send":
        return await this.#send(transport, request, headers);
      case "receive":
        return await this.#receive(transport, request, headers);
      case "close":
        await request.body?.cancel();
        this.#drop(transport, "closed by the client");
        return new Response(null, { status: 204, headers });
      default:
        return text(404, "Not Found: no such resource", headers);
    }
  }

  async #open(
    request: Request,
    context: ServeContext,
    headers: Headers,
  ): Promise<Response> {
    if (this.#closed) return text(503, "Service Unavailable", headers);
    const body = await readBody(request, MAX_OPEN_BODY);
    if (body === undefined) {
      return text(413, "Payload Too Large", headers);
    }
    let options: unknown;
    try {
      options = JSON.parse(new TextDecoder().decode(body));
    } catch (error) {
      return text(
        400,
        `Bad Request: the open request is not JSON: ${
          (error as Error).message
        }`,
        headers,
      );
    }
    const protocols = (options as { protocols?: unknown } | null)?.protocols;
    if (
      typeof options !== "object" || options === null ||
      Array.isArray(options)
    ) {
      return text(
        400,
        "Bad Request: the open request must be an object",
        headers,
      );
    }
    if (!Array.isArray(protocols)) {
      return text(400, 'Bad Request: "protocols" (a list) is missing', headers);
    }
    const chosen = protocols.find((p) =>
      typeof p === "string" && PROTOCOLS.includes(p)
    ) as string | undefined;
    if (chosen === undefined) {
      return text(
        400,
        `Bad Request: none of the offered protocols is supported (offer one of ${
          PROTOCOLS.join(", ")
        })`,
        headers,
      );
    }
    const codec: Codec = codecForSubprotocol(chosen)!;
    await codec.load();
    let id = newId();
    while (this.#transports.has(id)) id = newId();
    const transport = new LongPollTransport({
      id,
      codec,
      info: {
        type: "longpoll",
        peer: peerOf(context.remoteAddr),
        serializer: codec.name,
        secure: context.secure,
      },
      logger: this.#logger,
    });
    transport.start(
      this.#router.attach(transport, { authMethods: this.#authMethods }),
    );
    this.#transports.set(id, transport);
    this.#startSweeper();
    headers.set("content-type", "application/json");
    return new Response(JSON.stringify({ transport: id, protocol: chosen }), {
      headers,
    });
  }

  async #send(
    transport: LongPollTransport,
    request: Request,
    headers: Headers,
  ): Promise<Response> {
    const body = await readBody(request, MAX_SEND_BODY);
    if (body === undefined) return text(413, "Payload Too Large", headers);
    if (transport.closed) return new Response(null, { status: 204, headers });
    try {
      transport.receiveFromClient(body);
    } catch (error) {
      return text(
        400,
        `Bad Request: ${(error as Error).message}`,
        headers,
      );
    }
    return new Response(null, { status: 204, headers });
  }

  async #receive(
    transport: LongPollTransport,
    request: Request,
    headers: Headers,
  ): Promise<Response> {
    await request.body?.cancel();
    const result = await transport.poll(
      this.#options.request_timeout * 1000,
      request.signal,
    );
    if (result.kind === "messages") {
      headers.set("content-type", MIME[transport.codec.name]!);
      return new Response(result.body as Uint8Array<ArrayBuffer>, { headers });
    }
    if (result.kind === "closed") {
      this.#drop(transport, "closed");
      return text(404, "Not Found: the session is closed", headers);
    }
    if (this.#options.debug) {
      this.#logger.debug(
        `Long-poll transport ${transport.id}: idle receive answered with 204`,
      );
    }
    return new Response(null, { status: 204, headers });
  }

  #drop(transport: LongPollTransport, why: string): void {
    if (this.#transports.get(transport.id) !== transport) return;
    this.#transports.delete(transport.id);
    if (this.#options.debug) {
      this.#logger.debug(`Long-poll transport ${transport.id} ${why}`);
    }
    transport.drop();
    if (this.#transports.size === 0) this.#stopSweeper();
  }

  #startSweeper(): void {
    const timeout = this.#options.session_timeout * 1000;
    if (timeout === 0 || this.#sweeper !== undefined) return;
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const transport of [...this.#transports.values()]) {
        if (!transport.polling && now - transport.lastActive > timeout) {
          this.#logger.info(
            `Closing long-poll session ${transport.id} from ${transport.info.peer}: session inactive for ${this.#options.session_timeout} s`,
          );
          this.#drop(transport, "timed out");
        }
      }
    }, Math.min(timeout, 1000));
  }

  #stopSweeper(): void {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const transport of [...this.#transports.values()]) {
      this.#drop(transport, "closed by the node");
    }
    this.#stopSweeper();
    return Promise.resolve();
  }
}

function corsHeaders(request: Request): Headers {
  const headers = new Headers({
    "access-control-allow-origin": request.headers.get("origin") ?? "*",
    "access-control-allow-credentials": "true",
    "cache-control": "no-store, no-cache, must-revalidate, max-age=0",
  });
  const asked = request.headers.get("access-control-request-headers");
  if (asked !== null) headers.set("access-control-allow-headers", asked);
  return headers;
}

function text(
  status: number,
  message: string,
  headers: Headers,
  extra: Record<string, string> = {},
): Response {
  headers.set("content-type", "text/plain; charset=utf-8");
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return new Response(message + "\n", { status, headers });
}

/** The whole body, or `undefined` when it exceeds `limit` bytes. */
async function readBody(
  request: Request,
  limit: number,
): Promise<Uint8Array | undefined> {
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of request.body) {
    length += chunk.length;
    if (length > limit) return undefined;
    chunks.push(chunk);
  }
  return concatBytes(chunks, length);
}
