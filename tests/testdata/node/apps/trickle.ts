/**
 * Streams `tick N` lines 100 ms apart for `?ms=` milliseconds (default
 * 1000), then ends: a response that lasts as long as it is told to.
 */
export function trickle(request: Request): Response {
  const ms = Number(new URL(request.url).searchParams.get("ms") ?? "1000");
  const ends = Date.now() + ms;
  const encoder = new TextEncoder();
  let n = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (Date.now() >= ends) {
          controller.enqueue(encoder.encode("end\n"));
          controller.close();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        controller.enqueue(encoder.encode(`tick ${n++}\n`));
      },
    }),
    { headers: { "content-type": "text/plain" } },
  );
}
