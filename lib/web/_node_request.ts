/**
 * Converts between `node:http` requests/responses and web `Request` /
 * `Response`, streaming bodies both ways with backpressure. Used only by
 * `_node_listener.ts`.
 *
 * @module
 */
import {
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from "node:http";
import { nextTick } from "node:process";
import type { Duplex } from "node:stream";

/** Raised when a Node request cannot become a web `Request`. */
export class BadNodeRequestError extends Error {
  /** Creates the error; `cause` is the underlying failure. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BadNodeRequestError";
  }
}

/** Bytes of request body buffered before the Node stream is paused. */
const BODY_HIGH_WATER_MARK = 64 * 1024;

/** Host header values that are safe to put into a URL. */
const HOST_REGEXP =
  /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]+)(?::\d{1,5})?$/;

/** Response headers Node manages itself; copying them would break framing. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding"]);

/** How to build the URL of a request. */
export interface RequestUrlParts {
  /** `https` behind TLS, else `http`. */
  readonly secure: boolean;
  /** `host[:port]` to use when the request has no usable Host header. */
  readonly fallbackHost: string;
  /**
   * Whether the Node request still carries its body; not on an `upgrade`
   * event, where the socket is handed over unparsed. @default {true}
   */
  readonly body?: boolean;
}

/**
 * Builds a web `Request` from a Node request: absolute URL, method, every
 * header (repeated ones kept), and for methods other than GET/HEAD the body
 * as a stream that pauses the socket while unread.
 *
 * @param req The Node request.
 * @param parts Scheme and fallback host.
 * @param signal Aborted when the client goes away.
 * @returns The web request.
 * @throws {BadNodeRequestError} On a request target or header that cannot be
 * represented.
 */
export function toWebRequest(
  req: IncomingMessage,
  parts: RequestUrlParts,
  signal: AbortSignal,
): Request {
  const target = requestTarget(req.url ?? "");
  const hostHeader = req.headers.host;
  const host = hostHeader !== undefined && HOST_REGEXP.test(hostHeader)
    ? hostHeader
    : parts.fallbackHost;
  const url = `${parts.secure ? "https" : "http"}://${host}${target}`;
  const headers = new Headers();
  const raw = req.rawHeaders;
  try {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      headers.append(raw[i]!, raw[i + 1]!);
    }
  } catch (error) {
    throw new BadNodeRequestError(
      `Cannot read the request headers: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD" &&
    parts.body !== false;
  try {
    return new Request(url, {
      method,
      headers,
      signal,
      ...(hasBody ? { body: bodyStream(req), duplex: "half" } : {}),
    });
  } catch (error) {
    throw new BadNodeRequestError(
      `Cannot build the request for "${target}": ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function requestTarget(target: string): string {
  if (target.startsWith("/")) return target;
  // Absolute form (`GET http://host/path`), as sent to proxies.
  if (/^https?:\/\//i.test(target)) {
    try {
      const url = new URL(target);
      return url.pathname + url.search;
    } catch { /* reported below */ }
  }
  throw new BadNodeRequestError(
    `Cannot serve the request target "${target.slice(0, 100)}": it must ` +
      "start with /",
  );
}

/** The request body as a byte stream; the socket pauses while it is full. */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const finish = (error?: Error) => {
        if (finished) return;
        finished = true;
        if (error) controller.error(error);
        else controller.close();
      };
      req.on("data", (chunk: Uint8Array) => {
        if (finished) return;
        controller.enqueue(
          new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
        );
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => finish());
      req.once("error", (error: Error) => finish(error));
      req.once("close", () => {
        if (!req.complete) {
          finish(new Error("The client closed the connection mid-body"));
        }
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      // Unread rest: discard it so the connection can carry on.
      finished = true;
      req.removeAllListeners("data");
      req.resume();
    },
  }, new ByteLengthQueuingStrategy({ highWaterMark: BODY_HIGH_WATER_MARK }));
}

/**
 * Writes a web `Response` to a Node response: status, headers (each
 * `set-cookie` kept apart) and the body, waiting for `drain` whenever the
 * socket is full. When the client goes away the body stream is cancelled.
 *
 * @param response The service's response.
 * @param res The Node response.
 * @param head Whether the request was HEAD (no body is sent).
 * @returns Settles when the response is written or abandoned.
 * @throws {Error} When the body stream fails (the connection is cut).
 */
export async function writeWebResponse(
  response: Response,
  res: ServerResponse,
  head: boolean,
): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  for (const [name, value] of response.headers) {
    if (name === "set-cookie" || HOP_BY_HOP.has(name)) continue;
    res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  const body = response.body;
  if (body === null || head) {
    res.end();
    await body?.cancel().catch(() => {});
    return;
  }
  const reader = body.getReader();
  const onClose = () => {
    if (!res.writableFinished) reader.cancel().catch(() => {});
  };
  res.once("close", onClose);
  // A body that is already complete leaves in one write with the headers
  // (and a content-length); a slow stream is uncorked on the next tick.
  res.cork();
  nextTick(() => res.uncork());
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) await drained(res);
    }
    if (!res.destroyed) res.end();
  } catch (error) {
    res.destroy();
    throw error;
  } finally {
    res.off("close", onClose);
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

/**
 * Writes a complete HTTP/1.1 response onto a raw socket and ends it: for an
 * upgrade request whose service answered without upgrading.
 *
 * @param response The service's response.
 * @param socket The connection, taken over from the HTTP parser.
 * @returns Settles once the bytes are handed to the socket.
 */
export async function writeRawResponse(
  response: Response,
  socket: Duplex,
): Promise<void> {
  const body = new Uint8Array(await response.arrayBuffer());
  let head = `HTTP/1.1 ${response.status} ${
    response.statusText || STATUS_CODES[response.status] || "Unknown"
  }\r\n`;
  for (const [name, value] of response.headers) {
    if (name === "content-length" || HOP_BY_HOP.has(name)) continue;
    head += `${name}: ${value}\r\n`;
  }
  head += `content-length: ${body.byteLength}\r\nconnection: close\r\n\r\n`;
  if (socket.destroyed) return;
  socket.write(head);
  socket.end(body);
}
