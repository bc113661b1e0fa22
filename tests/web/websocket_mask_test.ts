/**
 * RFC 6455 §5.1: a server must fail the connection when a client sends an
 * unmasked frame. Sent here over raw TCP: a valid WAMP HELLO, unmasked, so
 * that the missing mask is the only fault.
 */
import { assert } from "../_helpers/assert.ts";
import { hostNode } from "../../lib/node/mod.ts";
import { openRaw } from "./_raw_conn.ts";

function config(options: Record<string, unknown>) {
  return {
    version: 2,
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        roles: [{ name: "anonymous", permissions: [] }],
      }],
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        options,
        paths: { ws: { type: "websocket" } },
      }],
    }],
  };
}

/** Sends an unmasked HELLO; resolves with what the server did. */
async function sendUnmasked(port: number): Promise<"failed" | "welcomed"> {
  using conn = await openRaw(port);
  await conn.send(
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wamp.2.json\r\n\r\n",
  );
  await conn.until(/\r\n\r\n/);
  const hello = new TextEncoder().encode(
    JSON.stringify([1, "realm1", { roles: { subscriber: {} } }]),
  );
  // FIN + text opcode, then the length with the mask bit clear.
  await conn.send(new Uint8Array([0x81, hello.length, ...hello]));
  const text = await conn.until(/\[2,/);
  return text.includes("[2,") ? "welcomed" : "failed";
}

Deno.test("an unmasked client frame fails the connection (Node front end, npm ws)", async () => {
  // client_timeout puts the transport on the node:http front end.
  await using node = await hostNode(config({ client_timeout: 60 }));
  const outcome = await sendUnmasked(Number(new URL(node.url).port));
  assert(outcome === "failed", "the server must not answer an unmasked HELLO");
});

Deno.test({
  name: "an unmasked client frame fails the connection (Deno.serve front end)",
  // Known limit, not a pass: Deno 2.9.6's WebSocket server (fastwebsockets
  // 0.8 behind Deno.upgradeWebSocket: its read_frame unmasks a frame only
  // when the mask bit is set, and a server role does not require it) takes
  // the unmasked frame; Deno sets no option that would refuse it, and a
  // script sees neither the mask bit nor the connection's bytes. See README
  // "Configuration" (RFC 6455 masking).
  ignore: true,
  fn: async () => {
    await using node = await hostNode(config({}));
    const outcome = await sendUnmasked(Number(new URL(node.url).port));
    assert(
      outcome === "failed",
      "the server must not answer an unmasked HELLO",
    );
  },
});
