/**
 * What the web transport adds to every response on its way out: HSTS, the
 * access log line.
 */
import type { Logger } from "../log/logger.ts";

/** Access-log facts about one request. */
export interface AccessFacts {
  readonly logger: Logger;
  readonly started: number;
  readonly method: string;
  readonly path: string;
  readonly remote: Deno.NetAddr | Deno.UnixAddr;
}

/** Options for {@link finishResponse}. */
export interface FinishOptions {
  readonly hstsMaxAge: number | undefined;
  readonly access: AccessFacts | undefined;
}

/** Adds HSTS and arranges the access log line for `response`. */
export function finishResponse(
  response: Response,
  options: FinishOptions,
): Response {
  if (response.status === 101) {
    options.access && writeAccess(options.access, 101, "-");
    return response;
  }
  if (options.hstsMaxAge !== undefined) {
    response = withHeader(
      response,
      "strict-transport-security",
      `max-age=${options.hstsMaxAge}`,
    );
  }
  const access = options.access;
  if (access === undefined) return response;
  const length = response.headers.get("content-length");
  if (response.body === null || length !== null) {
    writeAccess(access, response.status, length ?? "0");
    return response;
  }
  return countBody(response, access);
}

function withHeader(response: Response, name: string, value: string) {
  try {
    response.headers.set(name, value);
    return response;
  } catch {
    // Immutable headers (e.g. a Response from fetch()): copy them.
    const copy = new Response(response.body, response);
    copy.headers.set(name, value);
    return copy;
  }
}

function countBody(response: Response, access: AccessFacts): Response {
  let bytes = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      bytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
    flush() {
      writeAccess(access, response.status, String(bytes));
    },
    cancel() {
      writeAccess(access, response.status, `${bytes} (aborted)`);
    },
  });
  return new Response(response.body!.pipeThrough(counter), response);
}

function writeAccess(access: AccessFacts, status: number, bytes: string) {
  const ms = (performance.now() - access.started).toFixed(1);
  const remote = "hostname" in access.remote ? access.remote.hostname : "unix";
  access.logger.info(
    `${remote} "${access.method} ${access.path}" ${status} ${bytes} ${ms}ms`,
  );
}
