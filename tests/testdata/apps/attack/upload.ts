// Counts the bytes of an upload; says on stderr when it starts reading.
export async function app(request: Request): Promise<Response> {
  console.error("upload app: reading");
  let n = 0;
  for await (const chunk of request.body!) n += chunk.byteLength;
  return new Response(`${n} bytes\n`);
}
