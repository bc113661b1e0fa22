/**
 * Small HTTP helpers shared by the file, redirect, JSON and proxy services.
 *
 * @module
 */
import { plainResponse } from "../error_page.ts";

export { plainResponse };

/** Methods answered by the read-only services. */
export const READ_METHODS = "GET, HEAD";

/** `404 Not Found` with a plain body. */
export function notFound(headers?: HeadersInit): Response {
  return plainResponse(404, undefined, headers);
}

/** `405 Method Not Allowed` naming the allowed methods. */
export function methodNotAllowed(
  allow: string,
  headers?: HeadersInit,
): Response {
  const all = new Headers(headers);
  all.set("allow", allow);
  return plainResponse(405, undefined, all);
}

/**
 * Sets Crossbar's CORS headers: `Access-Control-Allow-Origin` echoes the
 * request's `Origin` (or `*` without one) and credentials are allowed.
 */
export function setCorsHeaders(headers: Headers, request: Request): void {
  const origin = request.headers.get("origin");
  headers.set("access-control-allow-origin", origin ?? "*");
  headers.set("access-control-allow-credentials", "true");
  if (origin !== null) headers.append("vary", "Origin");
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Whether the request method is GET or HEAD. */
export function isReadMethod(method: string): boolean {
  return method === "GET" || method === "HEAD";
}
