/** The seed's myapp, minimal: a function named `app`. */
export function app(): Response {
  return new Response("<h1>Hello from Crossbar.io</h1>", {
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}
