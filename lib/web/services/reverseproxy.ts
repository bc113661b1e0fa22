/**
 * The `reverseproxy` path service: forwards requests to an HTTP backend and
 * streams the answer back.
 *
 * - The backend URL is `http://host:port` + `path` + the rest of the request
 *   path + the query. A rest that would climb above `path` (dot segments)
 *   is refused with 400.
 * - Hop-by-hop headers are dropped both ways; `Host` becomes the backend's;
 *   `X-Forwarded-For` is appended to; `X-Forwarded-Host`, `-Port`, `-Proto`
 *   and `X-Real-IP` are set.
 * - The backend is asked for `Accept-Encoding: identity`, so bodies and
 *   their length headers pass through unchanged (Deno's fetch would
 *   otherwise decode them behind our back); `Deno.serve` may compress the
 *   answer to the client.
 * - Unreachable backend → 502; no response headers within `timeout`
 *   seconds → 504; client gone → backend request cancelled. Redirects are
 *   passed through as they are.
 *
 * @module
 */
import type { ReverseProxyServiceConfig } from "../../config/mod.ts";
import type { PathService, ServeContext } from "../path_service.ts";
import type { ServiceEnv } from "./service_env.ts";
import { plainResponse } from "./_static_http.ts";
import { clientIp, copyEndToEndHeaders, hostPort } from "./_proxy_headers.ts";
import { withCleanup } from "./_proxy_stream.ts";

/**
 * Creates a `reverseproxy` service.
 *
 * @param config The validated service config.
 * @param env The node environment.
 * @returns The path service.
 * @throws {TypeError} When `host` is missing or `port`/`timeout` are out of
 * range.
 * @example Forward `/api/*` to a local backend
 * ```ts ignore
 * import { createReverseProxyService } from "./reverseproxy.ts";
 * import { createLogger } from "../../log/logger.ts";
 * const service = createReverseProxyService(
 *   {
 *     type: "reverseproxy",
 *     host: "127.0.0.1",
 *     port: 3000,
 *     path: "/v1",
 *     forwarded_proto: "http",
 *   },
 *   { cbdir: "/srv/app/.crossbar", logger: createLogger() },
 * );
 * ```
 */
export function createReverseProxyService(
  config: ReverseProxyServiceConfig,
  env: ServiceEnv,
): PathService {
  if (typeof config.host !== "string" || config.host === "") {
    throw new TypeError(
      'Cannot create the reverseproxy service: "host" is required',
    );
  }
  const port = config.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(
      `Cannot create the reverseproxy service: "port" must be 1..65535, got ${port}`,
    );
  }
  const timeout = config.timeout;
  if (timeout !== undefined && !(timeout > 0)) {
    throw new TypeError(
      `Cannot create the reverseproxy service: "timeout" must be positive, got ${timeout}`,
    );
  }
  return new ReverseProxyService(config, port, timeout, env);
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

class ReverseProxyService implements PathService {
  readonly type = "reverseproxy";
  #origin: string;
  #basePath: string;
  #forwardedPort: string | undefined;
  #forwardedProto: string;
  #timeoutMs: number | undefined;
  #logger: ServiceEnv["logger"];
  #inFlight = new Set<AbortController>();

  constructor(
    config: ReverseProxyServiceConfig,
    port: number,
    timeout: number | undefined,
    env: ServiceEnv,
  ) {
    this.#origin = `http://${hostPort(config.host, port)}`;
    this.#basePath = config.path.replace(/\/+$/, "");
    if (this.#basePath !== "" && !this.#basePath.startsWith("/")) {
      this.#basePath = `/${this.#basePath}`;
    }
    this.#forwardedPort = config.forwarded_port === undefined
      ? undefined
      : String(config.forwarded_port);
    this.#forwardedProto = config.forwarded_proto;
    this.#timeoutMs = timeout === undefined ? undefined : timeout * 1000;
    this.#logger = env.logger;
  }

  async handle(request: Request, context: ServeContext): Promise<Response> {
    const target = this.#targetUrl(context);
    if (target === undefined) return plainResponse(400, undefined);
    const backend = new AbortController();
    let timedOut = false;
    const timer = this.#timeoutMs === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      backend.abort(new DOMException("Backend timed out", "TimeoutError"));
    }, this.#timeoutMs);
    const onClientGone = () => backend.abort(context.signal.reason);
    if (context.signal.aborted) onClientGone();
    context.signal.addEventListener("abort", onClientGone, { once: true });
    this.#inFlight.add(backend);
    const done = () => {
      clearTimeout(timer);
      context.signal.removeEventListener("abort", onClientGone);
      this.#inFlight.delete(backend);
    };
    let response: Response;
    try {
      response = await fetch(target, {
        method: request.method,
        headers: this.#requestHeaders(request, context),
        body: request.body,
        redirect: "manual",
        signal: backend.signal,
        ...(request.body ? { duplex: "half" } : {}),
      } as RequestInit);
    } catch (error) {
      done();
      return this.#failure(target, error, timedOut);
    }
    clearTimeout(timer);
    const headers = copyEndToEndHeaders(response.headers);
    let body = response.body;
    if (request.method === "HEAD" || NULL_BODY_STATUSES.has(response.status)) {
      await response.body?.cancel();
      body = null;
    }
    const relayed = body === null ? null : withCleanup(body, done);
    if (relayed === null) done();
    return new Response(relayed, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }

  #targetUrl(context: ServeContext): URL | undefined {
    let url: URL;
    try {
      url = new URL(
        `${this.#basePath}${context.rest}${context.search}`,
        this.#origin,
      );
    } catch {
      return undefined;
    }
    const base = this.#basePath;
    const inside = base === "" || url.pathname === base ||
      url.pathname.startsWith(`${base}/`);
    return inside && url.origin === this.#origin ? url : undefined;
  }

  #requestHeaders(request: Request, context: ServeContext): Headers {
    const headers = copyEndToEndHeaders(request.headers, ["host"]);
    const ip = clientIp(context.remoteAddr);
    const forwardedFor = request.headers.get("x-forwarded-for");
    headers.set(
      "x-forwarded-for",
      forwardedFor ? `${forwardedFor}, ${ip}` : ip,
    );
    const host = request.headers.get("host");
    if (host !== null) headers.set("x-forwarded-host", host);
    headers.set(
      "x-forwarded-port",
      this.#forwardedPort ?? incomingPort(request.url, context.secure),
    );
    headers.set("x-forwarded-proto", this.#forwardedProto);
    headers.set("x-real-ip", ip);
    headers.set("accept-encoding", "identity");
    return headers;
  }

  #failure(target: URL, error: unknown, timedOut: boolean): Response {
    if (timedOut) {
      this.#logger.warn(`Reverse proxy: backend ${target.origin} timed out`);
      return plainResponse(504, undefined);
    }
    const reason = error instanceof Error ? error.message : String(error);
    this.#logger.warn(
      `Reverse proxy: backend ${target.origin} failed: ${reason}`,
    );
    return plainResponse(502, undefined);
  }

  async close(deadline = Date.now()): Promise<void> {
    while (this.#inFlight.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const controller of this.#inFlight) {
      controller.abort(new DOMException("Service closed", "AbortError"));
    }
    this.#inFlight.clear();
  }
}

/** The port a request came in on, as its URL (from `Host`) names it. */
function incomingPort(url: string, secure: boolean): string {
  return new URL(url).port || (secure ? "443" : "80");
}
