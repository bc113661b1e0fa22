/**
 * The outbox coalesces what one member sends another: records of one busy
 * stretch leave as one payload, in order, within the size limits.
 */
import { Outbox, type OutboxSink } from "../../lib/cluster/_outbox.ts";
import { unpackAll } from "../../lib/cluster/_wire.ts";
import { assert, assertEquals, assertThrows } from "../_helpers/assert.ts";

/** A sink that records payloads and wakes a waiter per payload count. */
function recorder(maxPayload = 1024 * 1024) {
  const sent: [string, unknown[]][] = [];
  const failures: unknown[] = [];
  let wake: (() => void) | undefined;
  let want = 0;
  const sink: OutboxSink = {
    publish(node, data) {
      sent.push([node, unpackAll(data)]);
      if (wake !== undefined && sent.length >= want) wake();
    },
    maxPayload,
    failed: (_node, error) => failures.push(error),
  };
  return {
    sink,
    sent,
    failures,
    /** Resolves once `count` payloads were published. */
    payloads(count: number): Promise<void> {
      if (sent.length >= count) return Promise.resolve();
      want = count;
      return new Promise((resolve) => wake = resolve);
    },
  };
}

// A long maxDelay keeps the grouping independent of the machine's speed.
const SLOW = { maxDelay: 60_000 };

Deno.test("Outbox sends an idle member's first record at once, then what follows in one payload", async () => {
  const r = recorder();
  const outbox = new Outbox(r.sink, SLOW);
  for (let i = 0; i < 5; i++) outbox.add("b", ["ev", "realm1", i]);
  assertEquals(r.sent, [["b", [["ev", "realm1", 0]]]], "the first is out");
  await r.payloads(2);
  assertEquals(r.sent[1], [
    "b",
    [1, 2, 3, 4].map((i) => ["ev", "realm1", i]),
  ]);
});

Deno.test("Outbox keeps one batch per member", async () => {
  const r = recorder();
  const outbox = new Outbox(r.sink, SLOW);
  outbox.add("b", ["x", 1]);
  outbox.add("c", ["x", 2]);
  outbox.add("b", ["x", 3]);
  outbox.add("c", ["x", 4]);
  outbox.add("b", ["x", 5]);
  await r.payloads(4);
  assertEquals(r.sent.slice(0, 2), [["b", [["x", 1]]], ["c", [["x", 2]]]]);
  assertEquals(
    r.sent.slice(2).sort(([x], [y]) => x.localeCompare(y)),
    [["b", [["x", 3], ["x", 5]]], ["c", [["x", 4]]]],
  );
});

Deno.test("Outbox splits batches at maxBytes and keeps their order", () => {
  const r = recorder();
  const outbox = new Outbox(r.sink, { ...SLOW, maxBytes: 100 });
  const text = "x".repeat(30);
  for (let i = 0; i < 10; i++) outbox.add("b", [i, text]);
  // A record of at least maxBytes leaves alone at once, after what was
  // queued: everything is out without waiting for the turn to end.
  outbox.add("b", [10, "y".repeat(200)]);
  const records = r.sent.flatMap(([, rs]) => rs) as [number, string][];
  assertEquals(records.map(([i]) => i), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert(r.sent.length > 3, `${r.sent.length} payloads`);
  for (const [, rs] of r.sent) {
    assert(rs.length <= 3, `a batch of ${rs.length} 33-byte records`);
  }
});

Deno.test("Outbox refuses a record over the server's max_payload, queueing nothing", async () => {
  const r = recorder(64);
  const outbox = new Outbox(r.sink, SLOW);
  outbox.add("b", ["small"]);
  const error = assertThrows(
    () => outbox.add("b", ["big", "z".repeat(100)]),
    RangeError,
  );
  assert(/max_payload \(64\)/.test(error.message), error.message);
  outbox.add("b", ["after"]);
  await r.payloads(2);
  assertEquals(r.sent, [["b", [["small"]]], ["b", [["after"]]]]);
});

Deno.test("Outbox.flush() sends at once and clear() forgets", () => {
  const r = recorder();
  const outbox = new Outbox(r.sink, SLOW);
  outbox.add("b", ["a"]);
  outbox.add("b", ["gone"]);
  outbox.clear();
  outbox.flush();
  assertEquals(r.sent, [["b", [["a"]]]]);
  outbox.add("b", ["queued"]);
  assertEquals(r.sent.length, 1, "queued: b was sent to lately");
  outbox.flush();
  assertEquals(r.sent, [["b", [["a"]]], ["b", [["queued"]]]]);
});

Deno.test("Outbox reports a batch that fails to send at the end of a turn", async () => {
  const failures: unknown[] = [];
  const reported = Promise.withResolvers<void>();
  const outbox = new Outbox({
    publish() {
      throw new Error("connection closed");
    },
    maxPayload: 1024,
    failed(node, error) {
      failures.push([node, (error as Error).message]);
      reported.resolve();
    },
  }, SLOW);
  // Sent at once: the caller sees the failure itself.
  assertThrows(() => outbox.add("b", ["x"]), Error, "connection closed");
  outbox.add("b", ["y"]);
  await reported.promise;
  assertEquals(failures, [["b", "connection closed"]]);
});
