/** Answers after `?ms=N` milliseconds (default 1000). */
export async function slow(request: Request): Promise<Response> {
  const ms = Number(new URL(request.url).searchParams.get("ms") ?? 1000);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return new Response(`slept ${ms} ms\n`);
}
