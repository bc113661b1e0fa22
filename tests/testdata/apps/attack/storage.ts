// Attack app: tries to use shared browser storage (CacheStorage).
export async function app(request: Request): Promise<Response> {
  const key = new URL(request.url).searchParams.get("key") ?? "k";
  try {
    const store = (globalThis as { caches?: CacheStorage }).caches;
    if (store === undefined) throw new ReferenceError("caches is not defined");
    const cache = await store.open("shared");
    if (request.method === "PUT") {
      await cache.put(`http://x/${key}`, new Response(await request.text()));
      return new Response("stored\n");
    }
    const hit = await cache.match(`http://x/${key}`);
    return new Response(hit ? await hit.text() : "miss\n");
  } catch (e) {
    return new Response(`refused: ${(e as Error).name}\n`, { status: 403 });
  }
}
