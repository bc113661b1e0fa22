/**
 * The node's one error page: a short plain-text body such as
 * `404 Not Found`, used by the web transport, every path service and the
 * app host, so that the same status always reads the same.
 *
 * @module
 */

/** Reason phrases of the statuses the node answers with itself. */
const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Payload Too Large",
  414: "URI Too Long",
  416: "Range Not Satisfiable",
  426: "Upgrade Required",
  431: "Request Header Fields Too Large",
  499: "Client Closed Request",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * The reason phrase of `status`, e.g. `Not Found`.
 *
 * @param status An HTTP status.
 * @returns Its phrase, or `Error` for one the node never sends itself.
 */
export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? "Error";
}

/**
 * A plain-text error page: `404 Not Found`, or `detail` instead of the
 * standard text.
 *
 * @param status HTTP status.
 * @param detail Replaces the standard text (e.g. a stack trace).
 * @param headers Extra headers (the content type is always plain text).
 * @returns The response.
 *
 * @example
 * ```ts
 * import { plainResponse } from "./error_page.ts";
 * const response = plainResponse(404);
 * console.assert((await response.text()) === "404 Not Found\n");
 * ```
 */
export function plainResponse(
  status: number,
  detail?: string,
  headers?: HeadersInit,
): Response {
  const text = detail ?? `${status} ${statusText(status)}`;
  const all = new Headers(headers);
  all.set("content-type", "text/plain; charset=utf-8");
  return new Response(text + "\n", { status, headers: all });
}

/**
 * The error page with, under `display_tracebacks` only, the error's stack
 * after the status line.
 *
 * @param status HTTP status.
 * @param trace The error to show, or `undefined` to show none.
 * @param headers Extra headers.
 * @returns The response.
 */
export function errorResponse(
  status: number,
  trace: unknown,
  headers?: HeadersInit,
): Response {
  if (trace === undefined) return plainResponse(status, undefined, headers);
  const stack = trace instanceof Error
    ? trace.stack ?? String(trace)
    : String(trace);
  return plainResponse(
    status,
    `${status} ${statusText(status)}\n\n${stack}`,
    headers,
  );
}
