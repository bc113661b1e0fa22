/** Echoes what the app sees of the request as JSON. */
export function echo(request: Request, info: Deno.ServeHandlerInfo): Response {
  const url = new URL(request.url);
  return Response.json({
    method: request.method,
    path: url.pathname,
    search: url.search,
    prefix: request.headers.get("x-forwarded-prefix"),
    remote: (info.remoteAddr as Deno.NetAddr).hostname,
  });
}

/** Always fails. */
export function fail(): Response {
  throw new Error("the app failed on purpose");
}
