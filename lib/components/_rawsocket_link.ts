/**
 * A component's WAMP channel over a RawSocket client connection (tcp or
 * unix, JSON serializer) to another router: the handshake, then frames
 * relayed to and from the worker's `MessagePort`.
 *
 * @module
 */
import { JSON_CODEC } from "../wamp/codecs/mod.ts";
import {
  encodeFrame,
  FrameReader,
  FrameType,
} from "../wamp/rawsocket/framing.ts";
import {
  buildReply,
  MAGIC,
  SERIALIZER_IDS,
} from "../wamp/rawsocket/handshake.ts";
import type { WampMessage } from "../wamp/transport.ts";
import type { ComponentLink } from "./_links.ts";

/** Largest message accepted from the router, in octets. */
const MAX_LENGTH = 2 ** 24;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Where a RawSocket client connects. */
export type RawSocketTarget =
  | { readonly type: "tcp"; readonly host: string; readonly port: number }
  | { readonly type: "unix"; readonly path: string };

/**
 * Connects and completes the RawSocket handshake.
 *
 * @param target The router's endpoint.
 * @returns The link, once the router accepted the handshake.
 * @throws {Error} `crossbar.error.cannot_connect` when it cannot connect
 * or the router refuses the handshake.
 */
export async function rawSocketLink(
  target: RawSocketTarget,
): Promise<ComponentLink> {
  const where = target.type === "tcp"
    ? `rs://${target.host}:${target.port}`
    : `unix:${target.path}`;
  let conn: Deno.Conn;
  try {
    conn = target.type === "tcp"
      ? await Deno.connect({ hostname: target.host, port: target.port })
      : await Deno.connect({ transport: "unix", path: target.path });
  } catch (error) {
    throw new Error(
      `crossbar.error.cannot_connect: cannot connect to ${where}: ${
        (error as Error).message
      }`,
    );
  }
  const fail = (why: string): never => {
    conn.close();
    throw new Error(`crossbar.error.cannot_connect: ${where} ${why}`);
  };
  await writeAll(conn, buildReply(SERIALIZER_IDS.json!, MAX_LENGTH));
  const reply = new Uint8Array(4);
  let got = 0;
  while (got < 4) {
    const n = await conn.read(reply.subarray(got)).catch(() => null);
    if (n === null) fail("closed the connection during the handshake");
    got += n!;
  }
  if (reply[0] !== MAGIC) fail("is not a RawSocket router");
  if ((reply[1]! & 0x0f) !== SERIALIZER_IDS.json) {
    fail(`refused the handshake (error ${reply[1]! >> 4})`);
  }
  return relay(conn);
}

function relay(conn: Deno.Conn): ComponentLink {
  const channel = new MessageChannel();
  const port = channel.port1;
  let closed = false;
  let done: () => void = () => {};
  const ended = new Promise<void>((resolve) => done = resolve);
  let writing = Promise.resolve();
  const send = (frame: Uint8Array) => {
    writing = writing.then(() => writeAll(conn, frame)).catch(() => close());
  };
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // Already closed.
    }
    port.postMessage(null);
    port.close();
    done();
  };
  port.onmessage = (event: MessageEvent) => {
    if (event.data === null) return close();
    const text = JSON_CODEC.encode(event.data as WampMessage) as string;
    send(encodeFrame(FrameType.MESSAGE, utf8.encode(text)));
  };
  port.start();
  void (async () => {
    const reader = new FrameReader(MAX_LENGTH);
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (!closed) {
        const n = await conn.read(buffer);
        if (n === null) break;
        for (const frame of reader.push(buffer.slice(0, n))) {
          if (frame.type === FrameType.PING) {
            send(encodeFrame(FrameType.PONG, frame.payload.slice()));
          } else if (frame.type === FrameType.MESSAGE) {
            port.postMessage(JSON_CODEC.decode(fromUtf8.decode(frame.payload)));
          }
        }
      }
    } catch {
      // A broken stream or frame ends the link.
    }
    close();
  })();
  return {
    port: channel.port2,
    authmethods: ["anonymous"],
    closed: ended,
    close,
  };
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await conn.write(data.subarray(offset));
  }
}
