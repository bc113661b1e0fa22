// Attack app: reads whatever path it is asked for (relative to its folder).
export async function app(request: Request): Promise<Response> {
  const path = new URL(request.url).searchParams.get("path") ?? "";
  const file = new URL(path, import.meta.url);
  try {
    return new Response(await Deno.readTextFile(file));
  } catch (e) {
    return new Response(`refused: ${(e as Error).name}\n`, { status: 403 });
  }
}
