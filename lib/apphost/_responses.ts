/**
 * The host's own short plain-text answers (errors, overload).
 *
 * @module
 */

const TEXTS: Record<number, string> = {
  413: "Payload Too Large",
  431: "Request Header Fields Too Large",
  499: "Client Closed Request",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * A plain-text response such as `502 Bad Gateway`.
 *
 * @param status HTTP status.
 * @param detail Replaces the standard text (e.g. a stack trace).
 * @param headers Extra headers.
 */
export function plainResponse(
  status: number,
  detail?: string,
  headers?: Record<string, string>,
): Response {
  const text = detail ?? `${status} ${TEXTS[status] ?? "Error"}`;
  return new Response(text + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}
