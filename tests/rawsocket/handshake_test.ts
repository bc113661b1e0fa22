import { assertEquals } from "../_helpers/assert.ts";
import {
  buildErrorReply,
  buildReply,
  HandshakeErrorCode,
  lengthExponent,
  parseHandshake,
} from "../../lib/wamp/rawsocket/handshake.ts";

Deno.test("handshake: every serializer and length a client may ask for", () => {
  for (let l = 0; l < 16; l++) {
    for (const serializer of [1, 2, 3, 4, 5, 15]) {
      const request = parseHandshake(
        new Uint8Array([0x7f, (l << 4) | serializer, 0, 0]),
      );
      assertEquals(request, {
        kind: "ok",
        serializer,
        maxLength: 2 ** (l + 9),
      });
    }
  }
});

Deno.test("handshake: wrong magic, serializer 0 and reserved octets", () => {
  assertEquals(parseHandshake(new Uint8Array([0x47, 0x45, 0x54, 0x20])), {
    kind: "not-rawsocket",
  });
  const zero = parseHandshake(new Uint8Array([0x7f, 0xf0, 0, 0]));
  assertEquals(zero.kind === "error" && zero.code, 1);
  const reserved = parseHandshake(new Uint8Array([0x7f, 0xf1, 0, 1]));
  assertEquals(reserved.kind === "error" && reserved.code, 3);
});

Deno.test("handshake: the reply announces the power of two covering the limit", () => {
  assertEquals(lengthExponent(512), 0);
  assertEquals(lengthExponent(513), 1);
  assertEquals(lengthExponent(1000), 1);
  assertEquals(lengthExponent(2 ** 24), 15);
  assertEquals(lengthExponent(100), 0);
  assertEquals([...buildReply(3, 2 ** 24)], [0x7f, 0xf3, 0, 0]);
  assertEquals([...buildReply(1, 65536)], [0x7f, 0x71, 0, 0]);
  assertEquals(
    [...buildErrorReply(HandshakeErrorCode.SERIALIZER_UNSUPPORTED)],
    [0x7f, 0x10, 0, 0],
  );
  assertEquals(
    [...buildErrorReply(HandshakeErrorCode.CONNECTION_LIMIT)],
    [0x7f, 0x40, 0, 0],
  );
});
