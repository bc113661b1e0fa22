import assert from "node:assert/strict";
import {
  FLAG_INLINE,
  FLAG_STREAM,
  KIND,
  RecordDecoder,
  RecordEncoder,
} from "../../lib/apphost/_protocol.ts";
import {
  decodeFailure,
  decodeRequest,
  decodeResponse,
  encodeCancel,
  encodeFailure,
  encodeRequest,
  encodeResponse,
} from "../../lib/apphost/_records.ts";

/** Points a decoder at `record`; returns it with the kind and id read. */
function open(
  record: Uint8Array,
): { d: RecordDecoder; kind: number; id: number } {
  const copy = record.slice();
  const d = new RecordDecoder();
  const kind = d.reset(copy, new DataView(copy.buffer), 0, copy.byteLength);
  return { d, kind, id: d.u32() };
}

Deno.test("REQUEST records round-trip: method, URL, address, repeated headers, UTF-8, inline body", () => {
  const e = new RecordEncoder();
  const headers: [string, string][] = [
    ["accept", "*/*"],
    ["cookie", "a=1"],
    ["cookie", "b=ä€"],
  ];
  const body = new TextEncoder().encode("payload ✓");
  const record = encodeRequest(
    e,
    {
      id: 0xfffffffe,
      flags: FLAG_INLINE,
      method: "PATCH",
      url: "http://h/ü?x=1",
      remoteAddr: { transport: "tcp", hostname: "::1", port: 65535 },
    },
    (write) => headers.forEach(([n, v]) => write(n, v)),
    body,
  );
  const { d, kind, id } = open(record);
  assert.equal(kind, KIND.REQUEST);
  const r = decodeRequest(d, id);
  assert.equal(r.id, 0xfffffffe);
  assert.equal(r.flags, FLAG_INLINE);
  assert.equal(r.method, "PATCH");
  assert.equal(r.url, "http://h/ü?x=1");
  assert.deepEqual(r.remoteAddr, {
    transport: "tcp",
    hostname: "::1",
    port: 65535,
  });
  assert.deepEqual(r.headers, headers);
  assert.deepEqual(r.body, body);
});

Deno.test("REQUEST records round-trip a unix client and a streamed body", () => {
  const record = encodeRequest(
    new RecordEncoder(),
    {
      id: 7,
      flags: FLAG_STREAM,
      method: "POST",
      url: "http://h/",
      remoteAddr: { transport: "unix", path: "/run/x.sock" },
    },
    () => {},
    undefined,
  );
  const { d, id } = open(record);
  const r = decodeRequest(d, id);
  assert.deepEqual(r.remoteAddr, { transport: "unix", path: "/run/x.sock" });
  assert.equal(r.body, undefined);
  assert.deepEqual(r.headers, []);
});

Deno.test("RESPONSE records round-trip status, headers and a text or binary body", () => {
  const e = new RecordEncoder();
  const text = encodeResponse(e, 3, 201, FLAG_INLINE, [
    "content-type",
    "text/plain",
    "set-cookie",
    "a=1",
    "set-cookie",
    "b=2",
  ], new TextEncoder().encode("héllo"));
  const opened = open(text);
  assert.equal(opened.kind, KIND.RESPONSE);
  assert.equal(opened.id, 3);
  const r = decodeResponse(opened.d, () => true);
  assert.equal(r.status, 201);
  assert.deepEqual(r.headers, [
    ["content-type", "text/plain"],
    ["set-cookie", "a=1"],
    ["set-cookie", "b=2"],
  ]);
  assert.equal(r.body, "héllo");
  const bytes = new Uint8Array([0xff, 0, 1]);
  const bin = open(encodeResponse(e, 4, 200, FLAG_INLINE, [], bytes));
  assert.deepEqual(decodeResponse(bin.d, () => false).body, bytes);
  const streamed = open(encodeResponse(e, 5, 200, FLAG_STREAM, [], undefined));
  const s = decodeResponse(streamed.d, () => true);
  assert.equal(s.flags, FLAG_STREAM);
  assert.equal(s.body, undefined);
});

Deno.test("FAILURE and CANCEL records round-trip; a long stack is cut", () => {
  const e = new RecordEncoder();
  const failure = open(
    encodeFailure(e, 9, {
      name: "TypeError",
      message: "bad ✗",
      stack: "x".repeat(20_000),
    }),
  );
  assert.equal(failure.kind, KIND.FAILURE);
  assert.equal(failure.id, 9);
  const error = decodeFailure(failure.d);
  assert.equal(error.name, "TypeError");
  assert.equal(error.message, "bad ✗");
  assert.equal(error.stack.length, 16384);
  const cancel = open(encodeCancel(e, 10));
  assert.deepEqual([cancel.kind, cancel.id], [KIND.CANCEL, 10]);
});

Deno.test("a truncated record fails to decode instead of reading past its end", () => {
  const record = encodeResponse(
    new RecordEncoder(),
    1,
    200,
    FLAG_INLINE,
    ["a", "b"],
    new Uint8Array(100),
  );
  const short = record.slice(0, record.byteLength - 10);
  const d = new RecordDecoder();
  d.reset(short, new DataView(short.buffer), 0, short.byteLength);
  d.u32();
  assert.throws(() => decodeResponse(d, () => false), RangeError);
});
