// A well-behaved neighbour app.
export function app(): Response {
  return new Response("hello\n");
}
