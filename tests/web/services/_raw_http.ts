/**
 * Test helper: sends one HTTP/1.1 request with an exact, unnormalised
 * request target over a raw TCP socket (fetch would clean the URL up).
 */

/** What came back. */
export interface RawResponse {
  readonly status: number;
  /** Everything after the status line, headers and body, as text. */
  readonly text: string;
}

/**
 * Sends `METHOD target HTTP/1.1` to 127.0.0.1:`port` with `Connection:
 * close` and reads until the server closes.
 */
export async function rawRequest(
  port: number,
  target: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const method = options.method ?? "GET";
  const extra = Object.entries(options.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`).join("");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `Connection: close\r\n${extra}\r\n`;
    await conn.write(new TextEncoder().encode(head));
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(16 * 1024);
    while (true) {
      const read = await conn.read(buffer);
      if (read === null) break;
      chunks.push(buffer.slice(0, read));
    }
    const text = new TextDecoder().decode(concat(chunks));
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? "0");
    return { status, text };
  } finally {
    conn.close();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
