import {
  CBOR_BATCHED_CODEC,
  CBOR_CODEC,
  type Codec,
  CodecError,
  codecForSubprotocol,
  CODECS,
  JSON_BATCHED_CODEC,
  JSON_CODEC,
  MAX_DEPTH,
  MSGPACK_BATCHED_CODEC,
  MSGPACK_CODEC,
} from "../../../lib/wamp/codecs/mod.ts";
import { encode as msgpackEncode } from "@msgpack/msgpack";
import { encode as cborEncode } from "cbor-x";
import { assert, assertEquals, assertThrows } from "../../_helpers/assert.ts";

// The binary codecs load their libraries on first use; these tests use them
// directly.
await Promise.all(CODECS.map((codec) => codec.load()));

const SAMPLE = [
  36,
  5512315355,
  4429313566,
  { publisher: 2 ** 53, topic: "com.example.a" },
  ["hello", 1.5, -7, true, null, [1, [2, [3]]]],
  { nested: { deep: ["x", { y: false }] }, "unicode": "äöü € 😀" },
];

function toPlain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, toPlain(v)]),
    );
  }
  return value;
}

/** Raw bytes/text of one encoded value, without WAMP checks. */
function rawFrame(codec: Codec, value: unknown): string | Uint8Array {
  let bytes: string | Uint8Array;
  if (codec.name === "json") bytes = JSON.stringify(value);
  else if (codec.name === "msgpack") {
    bytes = msgpackEncode(value, { maxDepth: 1000 });
  } else bytes = cborEncode(value);
  if (!codec.batched) return bytes;
  if (typeof bytes === "string") return bytes + "\x1e";
  const out = new Uint8Array(bytes.length + 4);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

for (const codec of CODECS) {
  const label = codec.subprotocol;

  Deno.test(`${label} codec round-trips a message with nested payload`, () => {
    const frame = codec.encode(SAMPLE);
    assertEquals(typeof frame === "string", !codec.binary);
    assertEquals(codec.decode(frame), SAMPLE);
    assertEquals(codec.decodeBatch(frame), [SAMPLE]);
  });

  Deno.test(`${label} codec round-trips bytes nested anywhere`, () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const message = [16, 1, { x: bytes }, "t", [bytes, { b: [bytes] }]];
    const back = codec.decode(codec.encode(message));
    assert((back[2] as { x: unknown }).x instanceof Uint8Array);
    assertEquals(toPlain(back), toPlain(message));
  });

  Deno.test(`${label} codec rejects a frame that is not an array`, () => {
    const error = assertThrows(
      () => codec.decode(rawFrame(codec, { a: 1 })),
      CodecError,
    );
    assert(error.message.includes("must be an array"), error.message);
  });

  Deno.test(`${label} codec rejects a message type that is not an integer`, () => {
    for (const bad of [["1", 2], [1.5], [], [null]]) {
      assertThrows(() => codec.decode(rawFrame(codec, bad)), CodecError);
    }
  });

  Deno.test(`${label} codec rejects values nested too deeply without crashing`, () => {
    let deep: unknown = [];
    for (let i = 0; i < MAX_DEPTH + 5; i++) deep = [deep];
    const message = [16, 1, {}, "t", deep];
    assertThrows(() => codec.decode(rawFrame(codec, message)), CodecError);
  });

  Deno.test(`${label} codec rejects the wrong frame kind`, () => {
    const wrong = codec.binary ? "[1]" : new Uint8Array([0x91, 0x01]);
    const error = assertThrows(() => codec.decode(wrong), CodecError);
    assert(error.message.includes("frame"), error.message);
  });

  Deno.test(`${label} codec rejects garbage bytes`, () => {
    const garbage = codec.binary
      ? new Uint8Array(codec.batched ? [0, 0, 0, 2, 0xc1, 0xc1] : [0xc1, 0xff])
      : "[1, {";
    assertThrows(() => codec.decode(garbage), CodecError);
  });
}

Deno.test("JSON_CODEC.encode() writes bytes as a NUL-prefixed base64 string", () => {
  const frame = JSON_CODEC.encode([16, 1, {}, "t", [
    new Uint8Array([1, 2, 3]),
  ]]);
  assertEquals(frame, '[16,1,{},"t",["\\u0000AQID"]]');
});

Deno.test("JSON_CODEC.decode() keeps a NUL-prefixed string that is not base64", () => {
  const message = JSON_CODEC.decode('[16,1,{},"t",["\\u0000not base64!"]]');
  assertEquals(message[4], ["\0not base64!"]);
});

Deno.test("JSON_CODEC.decode() rejects numbers that overflow to infinity", () => {
  const error = assertThrows(
    () => JSON_CODEC.decode('[16,1,{},"t",[1e400]]'),
    CodecError,
  );
  assert(error.message.includes("not finite"), error.message);
});

Deno.test("JSON_CODEC.decode() survives a huge nesting depth", () => {
  const text = "[1," + "[".repeat(200_000) + "]".repeat(200_000) + "]";
  assertThrows(() => JSON_CODEC.decode(text), CodecError);
});

Deno.test("CBOR_CODEC.decode() rejects integers beyond 2^53 and survives deep nesting", () => {
  const big = new Uint8Array([
    0x82,
    0x01,
    0x1b,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
    0xff,
  ]);
  const error = assertThrows(() => CBOR_CODEC.decode(big), CodecError);
  assert(error.message.includes("out of the safe range"), error.message);
  const deep = new Uint8Array(200_000).fill(0x81);
  assertThrows(() => CBOR_CODEC.decode(deep), CodecError);
});

Deno.test("MSGPACK_CODEC.decode() survives deep nesting and rejects trailing bytes", () => {
  const deep = new Uint8Array(200_000).fill(0x91);
  assertThrows(() => MSGPACK_CODEC.decode(deep), CodecError);
  const trailing = new Uint8Array([0x91, 0x01, 0x01]);
  assertThrows(() => MSGPACK_CODEC.decode(trailing), CodecError);
});

Deno.test("JSON_BATCHED_CODEC frames each message followed by \\x1e", () => {
  assertEquals(JSON_BATCHED_CODEC.encode([1, "a"]), '[1,"a"]\x1e');
  assertEquals(
    JSON_BATCHED_CODEC.decodeBatch('[1,"a"]\x1e[2,"b"]\x1e'),
    [[1, "a"], [2, "b"]],
  );
  assertThrows(() => JSON_BATCHED_CODEC.decodeBatch("\x1e"), CodecError);
  assertThrows(() => JSON_BATCHED_CODEC.decode("[1]\x1e[2]\x1e"), CodecError);
});

Deno.test("MSGPACK_BATCHED_CODEC frames each message with a 4-byte big-endian length", () => {
  const frame = MSGPACK_BATCHED_CODEC.encode([1, "a"]) as Uint8Array;
  assertEquals(Array.from(frame), [0, 0, 0, 4, 0x92, 0x01, 0xa1, 0x61]);
  const two = new Uint8Array([...frame, ...frame]);
  assertEquals(MSGPACK_BATCHED_CODEC.decodeBatch(two), [[1, "a"], [1, "a"]]);
  const truncated = new Uint8Array([0, 0, 0, 9, 0x92]);
  const error = assertThrows(
    () => MSGPACK_BATCHED_CODEC.decodeBatch(truncated),
    CodecError,
  );
  assert(error.message.includes("claims 9 bytes"), error.message);
});

Deno.test("CBOR_BATCHED_CODEC decodes several length-prefixed items", () => {
  const one = CBOR_BATCHED_CODEC.encode([1, "a"]) as Uint8Array;
  const two = CBOR_BATCHED_CODEC.encode([2, "b"]) as Uint8Array;
  assertEquals(
    CBOR_BATCHED_CODEC.decodeBatch(new Uint8Array([...one, ...two])),
    [[1, "a"], [2, "b"]],
  );
});

Deno.test("codecForSubprotocol() knows every batched and unbatched name", () => {
  for (const name of ["json", "msgpack", "cbor"]) {
    assertEquals(codecForSubprotocol(`wamp.2.${name}`)?.batched, false);
    assertEquals(codecForSubprotocol(`wamp.2.${name}.batched`)?.batched, true);
  }
  assertEquals(codecForSubprotocol("wamp.2.ubjson"), undefined);
  assertEquals(CBOR_CODEC.binary && MSGPACK_CODEC.binary, true);
});

Deno.test("MSGPACK_CODEC.decode() reads msgpackr's undefined as an absent value", () => {
  // [32, 1, {match: undefined}, "a.b"] as msgpackr writes it
  const frame = new Uint8Array([
    0x94,
    0x20,
    0x01,
    0x81,
    0xa5,
    ...new TextEncoder().encode("match"),
    0xd4,
    0x00,
    0x00,
    0xa3,
    ...new TextEncoder().encode("a.b"),
  ]);
  assertEquals(MSGPACK_CODEC.decode(frame), [32, 1, {}, "a.b"]);
});

Deno.test("CBOR_CODEC.decode() turns undefined into null in lists and drops it from dicts", () => {
  // [16, 1, {x: undefined}, "a.b", [undefined]]
  const frame = new Uint8Array([
    0x85,
    0x10,
    0x01,
    0xa1,
    0x61,
    0x78,
    0xf7,
    0x63,
    0x61,
    0x2e,
    0x62,
    0x81,
    0xf7,
  ]);
  assertEquals(CBOR_CODEC.decode(frame), [16, 1, {}, "a.b", [null]]);
});
