// Attack app: /spin never returns.
export function app(request: Request): Response {
  if (new URL(request.url).pathname === "/spin") for (;;) { /* stuck */ }
  return new Response("not stuck\n");
}
