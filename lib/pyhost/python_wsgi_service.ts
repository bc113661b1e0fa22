/**
 * The `"type": "wsgi"` path service for a Python app (a `module` that
 * resolves to a `.py` file): a sandboxed gunicorn server on a unix socket
 * of its own, behind the node's request handling. Request lifecycle:
 *
 * 1. `handle()`: 503 when closing or when more than `max_queue` requests
 *    wait beyond the server's capacity (workers × threads); 413 when the
 *    declared or streamed body exceeds `max_body_size`.
 * 2. The request is forwarded over the unix socket with `fetch` (a
 *    `Deno.HttpClient` whose proxy is the socket), bodies streaming both
 *    ways; the mount prefix travels as `X-Crossbar-Script-Name` and becomes
 *    `SCRIPT_NAME` in `python/crossbar_pyhost_wsgi.py`, the client address
 *    as `X-Crossbar-Remote-Addr` (`REMOTE_ADDR`).
 * 3. No response headers within `timeout`: 504; the watchdog in the worker
 *    ends that worker and gunicorn starts a fresh one.
 * 4. A worker or server that dies mid-request: 502 (`gunicorn_process.ts`
 *    restarts a dead server).
 *
 * @module
 */
import type { Logger } from "../log/mod.ts";
import type { PathService, ServeContext } from "../web/path_service.ts";
import { GunicornProcess } from "./gunicorn_process.ts";

/** Response bodies up to this size (with a length) are passed whole. */
const SMALL_BODY = 64 * 1024;

/** Headers a client may not send through (the node sets them). */
const STRIPPED = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "x-forwarded-proto",
  "x-forwarded-protocol",
  "x-forwarded-ssl",
]);

/** Options of {@link PythonWsgiService}. */
export interface PythonWsgiServiceOptions {
  /** The mount prefix (`""` for the root). */
  readonly prefix: string;
  /** The server process. */
  readonly process: GunicornProcess;
  /** The unix socket of the server. */
  readonly socket: string;
  /** Requests the server takes at once (workers × threads). */
  readonly capacity: number;
  /** Requests waiting beyond the capacity before 503. */
  readonly maxQueue: number;
  /** Largest body in bytes (413 beyond). */
  readonly maxBodySize?: number | undefined;
  /** Seconds until a request without response headers gets 504. */
  readonly timeout: number;
  /** Where failures are logged. */
  readonly logger: Logger;
  /** Removes the socket folder after the server stopped. */
  readonly cleanup: () => Promise<void>;
}

class BodyTooLargeError extends Error {
  constructor() {
    super("request body too large");
    this.name = "BodyTooLargeError";
  }
}

class TimeoutError extends Error {
  constructor() {
    super("timeout");
    this.name = "TimeoutError";
  }
}

/** A Python wsgi path served by gunicorn. */
export class PythonWsgiService implements PathService {
  readonly type = "wsgi";
  readonly #options: PythonWsgiServiceOptions;
  readonly #client: Deno.HttpClient;
  #inFlight = 0;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  /** @param options Server, socket and limits. */
  constructor(options: PythonWsgiServiceOptions) {
    this.#options = options;
    this.#client = Deno.createHttpClient({
      proxy: { transport: "unix", path: options.socket },
    });
  }

  /** Forwards one request to the Python app. */
  async handle(request: Request, context: ServeContext): Promise<Response> {
    const o = this.#options;
    if (this.#closing !== undefined) return plain(503);
    if (this.#inFlight >= o.capacity + o.maxQueue) {
      return plain(503, { "retry-after": "1" });
    }
    const length = Number(request.headers.get("content-length") ?? NaN);
    if (o.maxBodySize !== undefined && length > o.maxBodySize) {
      return plain(413);
    }
    this.#inFlight++;
    try {
      return await this.#forward(request, context);
    } finally {
      if (--this.#inFlight === 0) this.#drained?.();
    }
  }

  async #forward(request: Request, context: ServeContext): Promise<Response> {
    const o = this.#options;
    const controller = new AbortController();
    const onAbort = () => controller.abort(context.signal.reason);
    const clientSignal = context.signal;
    clientSignal.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () => controller.abort(new TimeoutError()),
      o.timeout * 1000,
    );
    const host = request.headers.get("host") ?? "localhost";
    const url = `http://${host}${o.prefix}${context.rest}${context.search}`;
    const body = this.#body(request);
    try {
      const response = await fetch(url, {
        method: request.method,
        headers: forwardHeaders(request.headers, context, o.prefix),
        body: body.stream,
        redirect: "manual",
        signal: controller.signal,
        client: this.#client,
      });
      clearTimeout(timer);
      const init = {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      };
      // A small body of known length is cheaper to pass whole than as a
      // stream; anything else (chunked, large) streams.
      const length = Number(response.headers.get("content-length") ?? NaN);
      if (length <= SMALL_BODY && response.body !== null) {
        return new Response(await response.bytes(), init);
      }
      return new Response(response.body, init);
    } catch (error) {
      const reason = controller.signal.reason ?? error;
      if (reason instanceof TimeoutError) {
        o.logger.warn(
          `${request.method} ${o.prefix}${context.rest}: no response within ${o.timeout} s (504); the worker is replaced`,
        );
        return plain(504);
      }
      if (body.exceeded()) return plain(413);
      if (clientSignal.aborted) return plain(499);
      o.logger.error(
        `${request.method} ${o.prefix}${context.rest}: the Python app gave no response (502): ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
      return plain(502);
    } finally {
      clearTimeout(timer);
      clientSignal.removeEventListener("abort", onAbort);
    }
  }

  #body(request: Request): {
    stream: ReadableStream<Uint8Array> | null;
    exceeded: () => boolean;
  } {
    const body = request.body;
    const max = this.#options.maxBodySize;
    if (body === null || max === undefined) {
      return { stream: body, exceeded: () => false };
    }
    let seen = 0;
    const stream = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > max) controller.error(new BodyTooLargeError());
          else controller.enqueue(chunk);
        },
      }),
    );
    return { stream, exceeded: () => seen > max };
  }

  /** Waits for in-flight requests until `deadline`, then stops the server. */
  close(deadline: number = Date.now() + 10_000): Promise<void> {
    return this.#closing ??= this.#close(deadline);
  }

  async #close(deadline: number): Promise<void> {
    if (this.#inFlight > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#drained = resolve),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        }),
      ]);
      clearTimeout(timer);
    }
    await this.#options.process.close();
    this.#client.close();
    await this.#options.cleanup();
  }
}

function forwardHeaders(
  incoming: Headers,
  context: ServeContext,
  prefix: string,
): Headers {
  const headers = new Headers();
  for (const [name, value] of incoming) {
    // Underscored names would alias dashed ones in the WSGI environ.
    if (STRIPPED.has(name) || name.includes("_")) continue;
    if (name.startsWith("x-crossbar-")) continue;
    headers.append(name, value);
  }
  if (!headers.has("accept-encoding")) {
    headers.set("accept-encoding", "identity");
  }
  headers.set("x-crossbar-script-name", prefix);
  const addr = context.remoteAddr;
  headers.set(
    "x-crossbar-remote-addr",
    "hostname" in addr ? addr.hostname : "",
  );
  headers.set("x-forwarded-proto", context.secure ? "https" : "http");
  return headers;
}

function plain(status: number, headers: Record<string, string> = {}): Response {
  const text = STATUS_TEXT[status] ?? "Error";
  return new Response(`${status} ${text}\n`, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

const STATUS_TEXT: Record<number, string> = {
  413: "Payload Too Large",
  499: "Client Closed Request",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};
