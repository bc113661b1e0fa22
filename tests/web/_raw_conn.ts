/**
 * Test helper: raw TCP exchanges with a node, for requests that fetch would
 * normalise or refuse to send (lowercase methods, CONNECT, huge chunk
 * extensions, slow bodies).
 */

/** An open raw connection. */
export interface RawConn extends Disposable {
  /** Writes text (or bytes) as they are. */
  send(data: string | Uint8Array): Promise<void>;
  /** Reads until `pattern` matches what arrived, or the peer closes. */
  until(pattern: RegExp): Promise<string>;
  /** Reads until the peer closes; everything received. */
  rest(): Promise<string>;
}

/** Opens a raw connection to `hostname` (default 127.0.0.1) `port`. */
export async function openRaw(
  port: number,
  hostname = "127.0.0.1",
): Promise<RawConn> {
  const conn = await Deno.connect({ hostname, port });
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let text = "";
  let closed = false;
  const buffer = new Uint8Array(64 * 1024);
  const readMore = async (): Promise<void> => {
    let read: number | null;
    try {
      read = await conn.read(buffer);
    } catch {
      read = null; // a reset is a close
    }
    if (read === null) closed = true;
    else text += decoder.decode(buffer.subarray(0, read), { stream: true });
  };
  return {
    async send(data) {
      await conn.write(typeof data === "string" ? encoder.encode(data) : data);
    },
    async until(pattern) {
      while (!pattern.test(text) && !closed) await readMore();
      return text;
    },
    async rest() {
      while (!closed) await readMore();
      return text;
    },
    [Symbol.dispose]() {
      try {
        conn.close();
      } catch {
        // already closed
      }
    },
  };
}

/** Sends `data` on a fresh connection and returns all that came back. */
export async function rawExchange(port: number, data: string): Promise<string> {
  using conn = await openRaw(port);
  await conn.send(data);
  return await conn.rest();
}

/** The status code of a raw HTTP/1.1 response, or 0. */
export function statusOf(text: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? "0");
}
