import { assertEquals, assertThrows } from "../_helpers/assert.ts";
import {
  encodeFrame,
  FrameReader,
  FrameType,
  FramingError,
  MAX_FRAME_LENGTH,
} from "../../lib/wamp/rawsocket/framing.ts";

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

Deno.test("framing: frames split at every byte boundary come out whole", () => {
  const wire = new Uint8Array([
    ...encodeFrame(FrameType.MESSAGE, bytes(1, 2, 3)),
    ...encodeFrame(FrameType.PING, bytes()),
    ...encodeFrame(FrameType.PONG, bytes(9)),
  ]);
  for (let cut = 0; cut <= wire.length; cut++) {
    const reader = new FrameReader(1024);
    const frames = [
      ...reader.push(wire.slice(0, cut)),
      ...reader.push(wire.slice(cut)),
    ];
    assertEquals(
      frames.map((f) => [f.type, [...f.payload]]),
      [[0, [1, 2, 3]], [1, []], [2, [9]]],
    );
    assertEquals(reader.buffered, 0);
  }
});

Deno.test("framing: the header is big-endian with the type in the low bits", () => {
  assertEquals(
    [...encodeFrame(FrameType.PING, new Uint8Array(0x010203)).subarray(0, 4)],
    [0x01, 0x01, 0x02, 0x03],
  );
  // Exactly 16 MiB uses the 25th length bit.
  const big = new Uint8Array(4);
  const reader = new FrameReader(MAX_FRAME_LENGTH);
  big.set([0x08, 0, 0, 0]);
  assertEquals(reader.push(big), []);
});

Deno.test("framing: oversize, reserved bits and reserved types are refused", () => {
  assertThrows(
    () => new FrameReader(1024).push(bytes(0, 0, 0x04, 0x01)),
    FramingError,
    "frame of 1025 octets exceeds the limit of 1024",
  );
  assertThrows(
    () => new FrameReader(1024).push(bytes(0x10, 0, 0, 1, 0)),
    FramingError,
    "reserved bits",
  );
  assertThrows(
    () => new FrameReader(1024).push(bytes(0x03, 0, 0, 0)),
    FramingError,
    "reserved frame type 3",
  );
  assertThrows(
    () => new FrameReader(MAX_FRAME_LENGTH).push(bytes(0x08, 0, 0, 1)),
    FramingError,
    "25th length bit",
  );
});

Deno.test("framing: a large payload over many small chunks comes out whole", () => {
  const payload = new Uint8Array(200_000).map((_, i) => i % 251);
  const wire = new Uint8Array([
    ...encodeFrame(FrameType.MESSAGE, payload),
    ...encodeFrame(FrameType.PONG, bytes(7)),
  ]);
  const reader = new FrameReader(1 << 20);
  const frames = [];
  for (let at = 0; at < wire.length; at += 1000) {
    frames.push(...reader.push(wire.slice(at, at + 1000)));
    // Everything but the 4-octet header waits in the reader.
    if (frames.length === 0) assertEquals(reader.buffered, at + 1000 - 4);
  }
  assertEquals(frames.length, 2);
  assertEquals(frames[0]!.payload, payload);
  assertEquals([...frames[1]!.payload], [7]);
  assertEquals(reader.buffered, 0);
});
