/** Reads the whole request body and answers with its length. */
export async function upload(request: Request): Promise<Response> {
  const body = await request.arrayBuffer();
  return new Response(`received ${body.byteLength} bytes\n`);
}
