// Attack app: /spin never returns (it says so on stderr first).
export function app(request: Request): Response {
  if (new URL(request.url).pathname === "/spin") {
    console.error("busy app: spinning");
    for (;;) { /* stuck */ }
  }
  return new Response("not stuck\n");
}
