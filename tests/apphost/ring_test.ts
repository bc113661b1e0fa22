import assert from "node:assert/strict";
import { createRing, RingReader, RingWriter } from "../../lib/apphost/_ring.ts";
import {
  KIND,
  RecordDecoder,
  RecordEncoder,
} from "../../lib/apphost/_protocol.ts";

function record(i: number): Uint8Array {
  const size = (i * 7919) % 3000;
  return new Uint8Array(size + 1).fill(i & 0xff);
}

Deno.test("RingWriter.write() delivers records in order across wraps and a full ring", async () => {
  const sab = createRing(16 * 1024);
  const writer = new RingWriter(sab);
  const got: Uint8Array[] = [];
  const total = 2000;
  let done!: () => void;
  const all = new Promise<void>((r) => done = r);
  const reader = new RingReader(sab, (data, _view, offset, length) => {
    got.push(data.slice(offset, offset + length));
    if (got.length === total) done();
  }, (error) => {
    throw error;
  });
  reader.start();
  // A same-thread Atomics.waitAsync wake-up does not keep the event loop
  // alive; the interval does.
  const keepAlive = setInterval(() => {}, 1000);
  for (let i = 0; i < total; i++) writer.write(record(i));
  await all;
  clearInterval(keepAlive);
  for (let i = 0; i < total; i++) {
    assert.deepEqual(got[i], record(i), `record ${i}`);
  }
  writer.close();
  reader.close();
});

Deno.test("RingWriter.write() rejects a record larger than half the ring", () => {
  const writer = new RingWriter(createRing(1024));
  assert.throws(() => writer.write(new Uint8Array(600)), RangeError);
});

Deno.test("RecordDecoder reads what RecordEncoder wrote, UTF-8 included", () => {
  const encoder = new RecordEncoder();
  const body = new Uint8Array([1, 2, 3]);
  const bytes = encoder.begin(KIND.REQUEST, 77).u8(5).u16(500).str("héllo ✓")
    .str("").bytes(body).finish();
  const decoder = new RecordDecoder();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(decoder.reset(bytes, view, 0, bytes.byteLength), KIND.REQUEST);
  assert.equal(decoder.u32(), 77);
  assert.equal(decoder.u8(), 5);
  assert.equal(decoder.u16(), 500);
  assert.equal(decoder.str(), "héllo ✓");
  assert.equal(decoder.str(), "");
  assert.deepEqual(decoder.bytes(), body);
  assert.throws(() => decoder.u8(), RangeError);
});
