// Attack app: /grow allocates until its heap is exhausted.
const hoard: unknown[] = [];
export function app(request: Request): Response {
  if (new URL(request.url).pathname === "/grow") {
    for (;;) hoard.push(new Array(1_000_000).fill(Math.random()));
  }
  return new Response("alive\n");
}
