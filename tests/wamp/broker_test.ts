import { assert, assertEquals } from "../_helpers/assert.ts";
import type { RealmConfig } from "../../lib/wamp/realm.ts";
import type { WampMessage } from "../../lib/wamp/transport.ts";
import {
  type Joined,
  joined,
  OPEN_REALM,
  testRouter,
} from "./_helpers/wamp_recording_transport.ts";

async function subscribe(
  s: Joined,
  topic: string,
  options: Record<string, unknown> = {},
  requestId = 1,
): Promise<number> {
  const [reply] = await s.transport.exchange([32, requestId, options, topic]);
  assertEquals(reply?.[0], 33);
  assertEquals(reply?.[1], requestId);
  return reply![2] as number;
}

function events(s: Joined): WampMessage[] {
  return s.transport.take();
}

Deno.test("Broker.publish() delivers EVENT with the payload untouched", async () => {
  await using router = testRouter();
  const sub = await joined(router);
  const pub = await joined(router);
  const subscription = await subscribe(sub, "com.example.t");
  const kwargs = { nested: { list: [1, "two", null], flag: true } };
  const [published] = await pub.transport.exchange([
    16,
    7,
    { acknowledge: true },
    "com.example.t",
    [1, { a: "b" }],
    kwargs,
  ]);
  assertEquals(published?.[0], 17);
  assertEquals(published?.[1], 7);
  const publicationId = published![2] as number;
  assert(publicationId >= 1 && publicationId <= 2 ** 53);
  assertEquals(events(sub), [[
    36,
    subscription,
    publicationId,
    {},
    [1, { a: "b" }],
    kwargs,
  ]]);
});

Deno.test("Broker.publish() sends no PUBLISHED without acknowledge", async () => {
  await using router = testRouter();
  const pub = await joined(router);
  assertEquals(await pub.transport.exchange([16, 1, {}, "com.example.t"]), []);
});

Deno.test("Broker.publish() omits payload fields when the publisher sent none", async () => {
  await using router = testRouter();
  const sub = await joined(router);
  const pub = await joined(router);
  const subscription = await subscribe(sub, "com.example.t");
  await pub.transport.exchange([16, 1, {}, "com.example.t"]);
  const [event] = events(sub);
  assertEquals(event?.length, 4);
  assertEquals(event?.[1], subscription);
});

Deno.test("Broker.publish() sends the same EVENT array to every subscriber", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const b = await joined(router);
  const pub = await joined(router);
  await subscribe(a, "com.example.t");
  await subscribe(b, "com.example.t");
  await pub.transport.exchange([16, 1, {}, "com.example.t", [1]]);
  const [ea] = events(a);
  const [eb] = events(b);
  assert(ea !== undefined && ea === eb, "one array object for the fan-out");
});

Deno.test("Broker.subscribe() returns the same subscription id for the same topic", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const b = await joined(router);
  const first = await subscribe(a, "com.example.t");
  assertEquals(await subscribe(b, "com.example.t"), first);
  assertEquals(await subscribe(a, "com.example.t", {}, 2), first);
  const prefix = await subscribe(a, "com.example.t", { match: "prefix" }, 3);
  assert(prefix !== first, "another match policy is another subscription");
});

Deno.test("Broker.unsubscribe() stops delivery and errors on unknown ids", async () => {
  await using router = testRouter();
  const sub = await joined(router);
  const pub = await joined(router);
  const id = await subscribe(sub, "com.example.t");
  assertEquals(await sub.transport.exchange([34, 2, id]), [[35, 2]]);
  await pub.transport.exchange([16, 1, {}, "com.example.t"]);
  assertEquals(events(sub), []);
  assertEquals(await sub.transport.exchange([34, 3, id]), [[
    8,
    34,
    3,
    {},
    "wamp.error.no_such_subscription",
    [`No subscription ${id} for this session`],
  ]]);
});

Deno.test("Broker.publish() excludes the publisher unless exclude_me is false", async () => {
  await using router = testRouter();
  const s = await joined(router);
  await subscribe(s, "com.example.t");
  await s.transport.exchange([16, 2, {}, "com.example.t", ["no"]]);
  const frames = await s.transport.exchange([
    16,
    3,
    { exclude_me: false },
    "com.example.t",
    ["yes"],
  ]);
  assertEquals(frames.length, 1);
  assertEquals(frames[0]![4], ["yes"]);
});

Deno.test("Broker.publish() ignores disclose_me when the role does not disclose publishers", async () => {
  await using router = testRouter();
  const sub = await joined(router);
  const pub = await joined(router, { authid: "pubber" });
  await subscribe(sub, "com.example.t");
  const frames = await pub.transport.exchange([16, 1, {
    disclose_me: true,
    acknowledge: true,
  }, "com.example.t"]);
  assertEquals(frames[0]?.[0], 17); // PUBLISHED: no error either
  assertEquals(events(sub)[0]![3], {});
});

Deno.test("Broker.publish() discloses the publisher when the role says so", async () => {
  const realm: RealmConfig = {
    name: "realm1",
    roles: [{
      name: "anonymous",
      permissions: [{
        uri: "com.example.",
        match: "prefix",
        allow: { publish: true, subscribe: true },
        disclose: { publisher: true },
      }],
    }],
  };
  await using router = testRouter([realm]);
  const sub = await joined(router);
  const pub = await joined(router, { authid: "p" });
  await subscribe(sub, "com.example.t");
  await pub.transport.exchange([16, 1, {}, "com.example.t"]);
  assertEquals(events(sub)[0]![3], {
    publisher: pub.sessionId,
    publisher_authid: "p",
    publisher_authrole: "anonymous",
  });
});

Deno.test("Broker.publish() applies exclude, exclude_authid and exclude_authrole", async () => {
  await using router = testRouter();
  const a = await joined(router, { authid: "a" });
  const b = await joined(router, { authid: "b" });
  const c = await joined(router, { authid: "c" });
  for (const s of [a, b, c]) await subscribe(s, "com.example.t");
  const pub = await joined(router);
  await pub.transport.exchange([
    16,
    1,
    { exclude: [a.sessionId] },
    "com.example.t",
  ]);
  assertEquals([events(a).length, events(b).length, events(c).length], [
    0,
    1,
    1,
  ]);
  await pub.transport.exchange([
    16,
    2,
    { exclude_authid: ["b", "c"] },
    "com.example.t",
  ]);
  assertEquals([events(a).length, events(b).length, events(c).length], [
    1,
    0,
    0,
  ]);
  await pub.transport.exchange([
    16,
    3,
    { exclude_authrole: ["anonymous"] },
    "com.example.t",
  ]);
  assertEquals([events(a).length, events(b).length, events(c).length], [
    0,
    0,
    0,
  ]);
});

Deno.test("Broker.publish() applies eligible, eligible_authid and eligible_authrole", async () => {
  await using router = testRouter();
  const a = await joined(router, { authid: "a" });
  const b = await joined(router, { authid: "b" });
  for (const s of [a, b]) await subscribe(s, "com.example.t");
  const pub = await joined(router);
  await pub.transport.exchange([
    16,
    1,
    { eligible: [b.sessionId] },
    "com.example.t",
  ]);
  assertEquals([events(a).length, events(b).length], [0, 1]);
  await pub.transport.exchange([
    16,
    2,
    { eligible_authid: ["a"] },
    "com.example.t",
  ]);
  assertEquals([events(a).length, events(b).length], [1, 0]);
  await pub.transport.exchange([
    16,
    3,
    { eligible_authrole: ["other"] },
    "com.example.t",
  ]);
  assertEquals([events(a).length, events(b).length], [0, 0]);
  await pub.transport.exchange([16, 4, {
    eligible: [a.sessionId, b.sessionId],
    exclude: [b.sessionId],
  }, "com.example.t"]);
  assertEquals([events(a).length, events(b).length], [1, 0]);
});

Deno.test("Broker.subscribe() with prefix match gets events with their topic", async () => {
  await using router = testRouter();
  const sub = await joined(router);
  const pub = await joined(router);
  const id = await subscribe(sub, "com.example.", { match: "prefix" });
  await pub.transport.exchange([16, 1, {}, "com.example.a.b", [1]]);
  await pub.transport.exchange([16, 2, {}, "com.other", [2]]);
  const got = events(sub);
  assertEquals(got.length, 1);
  assertEquals(got[0]![1], id);
  assertEquals(got[0]![3], { topic: "com.example.a.b" });
});

Deno.test("Broker.subscribe() with wildcard match gets events with their topic", async () => {
  await using router = testRouter();
  const sub = await joined(router);
  const pub = await joined(router);
  await subscribe(sub, "com..update", { match: "wildcard" });
  await pub.transport.exchange([16, 1, {}, "com.a.update"]);
  await pub.transport.exchange([16, 2, {}, "com.a.b.update"]);
  await pub.transport.exchange([16, 3, {}, "com.b.delete"]);
  const got = events(sub);
  assertEquals(got.map((e) => e[3]), [{ topic: "com.a.update" }]);
});

Deno.test("Broker.publish() reaches exact and pattern subscriptions of one session", async () => {
  await using router = testRouter();
  const sub = await joined(router);
  const pub = await joined(router);
  const exact = await subscribe(sub, "com.example.t");
  const prefix = await subscribe(sub, "com.", { match: "prefix" }, 2);
  await pub.transport.exchange([16, 1, {}, "com.example.t"]);
  assertEquals(events(sub).map((e) => e[1]).sort(), [exact, prefix].sort());
});

Deno.test("Broker.subscribe() with get_retained gets the last retained event", async () => {
  await using router = testRouter();
  const pub = await joined(router);
  await pub.transport.exchange([16, 1, { retain: true }, "com.example.t", [
    "old",
  ]]);
  const [published] = await pub.transport.exchange([
    16,
    2,
    { retain: true, acknowledge: true },
    "com.example.t",
    ["new"],
  ]);
  await pub.transport.exchange([16, 3, {}, "com.example.t", ["not retained"]]);
  const sub = await joined(router);
  const frames = await sub.transport.exchange([
    32,
    1,
    { get_retained: true },
    "com.example.t",
  ]);
  assertEquals(frames.length, 2);
  assertEquals(frames[0]![0], 33);
  assertEquals(frames[1], [
    36,
    frames[0]![2],
    published![2],
    { retained: true },
    ["new"],
  ]);
  const plain = await joined(router);
  assertEquals(
    (await plain.transport.exchange([32, 1, {}, "com.example.t"])).length,
    1,
  );
});

Deno.test("Broker.subscribe() with get_retained on a prefix gets every matching retained event", async () => {
  await using router = testRouter();
  const pub = await joined(router);
  await pub.transport.exchange([16, 1, { retain: true }, "com.example.a", [1]]);
  await pub.transport.exchange([16, 2, { retain: true }, "com.example.b", [2]]);
  await pub.transport.exchange([16, 3, { retain: true }, "org.example.c", [3]]);
  const sub = await joined(router);
  const frames = await sub.transport.exchange([32, 1, {
    get_retained: true,
    match: "prefix",
  }, "com.example."]);
  assertEquals(
    frames.slice(1).map((e) => e[3]),
    [
      { retained: true, topic: "com.example.a" },
      { retained: true, topic: "com.example.b" },
    ],
  );
});

Deno.test("Broker.publish() answers invalid_uri only when acknowledged", async () => {
  await using router = testRouter();
  const pub = await joined(router);
  assertEquals(await pub.transport.exchange([16, 1, {}, "com..bad"]), []);
  const [error] = await pub.transport.exchange([
    16,
    2,
    { acknowledge: true },
    "com..bad",
  ]);
  assertEquals(error?.slice(0, 5), [8, 16, 2, {}, "wamp.error.invalid_uri"]);
});

Deno.test("Broker.publish() refuses reserved wamp. topics from clients", async () => {
  await using router = testRouter();
  const pub = await joined(router);
  const [error] = await pub.transport.exchange([
    16,
    1,
    { acknowledge: true },
    "wamp.session.on_join",
  ]);
  assertEquals(error, [8, 16, 1, {}, "wamp.error.invalid_uri", [
    'Cannot publish the reserved URI "wamp.session.on_join"',
  ]]);
});

Deno.test("Broker.subscribe() checks URIs by the realm's uri_check", async () => {
  await using strict = testRouter();
  const s = await joined(strict);
  const [error] = await s.transport.exchange([32, 1, {}, "com.Example.T"]);
  assertEquals(error?.slice(0, 5), [8, 32, 1, {}, "wamp.error.invalid_uri"]);
  await using loose = testRouter([{
    ...OPEN_REALM,
    options: { uri_check: "loose" },
  }]);
  const l = await joined(loose);
  const [ok] = await l.transport.exchange([32, 1, {}, "com.Example.T"]);
  assertEquals(ok?.[0], 33);
  const [bad] = await l.transport.exchange([32, 2, {}, "com.has space"]);
  assertEquals(bad?.[4], "wamp.error.invalid_uri");
});

Deno.test("Broker.removeSession() drops a leaving subscriber", async () => {
  await using router = testRouter();
  const sub = await joined(router);
  const id = await subscribe(sub, "com.example.t");
  sub.transport.drop();
  const observer = await joined(router);
  const [reply] = await observer.transport.exchange([
    48,
    1,
    {},
    "wamp.subscription.get",
    [id],
  ]);
  assertEquals(reply?.[4], "wamp.error.no_such_subscription");
});

Deno.test("Broker.publish() delivers many events exactly once and in order", async () => {
  await using router = testRouter();
  const sub = await joined(router);
  const pub = await joined(router);
  await subscribe(sub, "com.example.t");
  for (let i = 0; i < 500; i++) {
    pub.transport.deliver([16, i + 1, {}, "com.example.t", [i]]);
  }
  const got = events(sub).map((e) => (e[4] as number[])[0]);
  assertEquals(got, Array.from({ length: 500 }, (_, i) => i));
});

Deno.test("Broker.subscribe() with get_retained applies the publication's eligibility", async () => {
  await using router = testRouter();
  const pub = await joined(router);
  const a = await joined(router, { authid: "a" });
  const b = await joined(router, { authid: "b" });
  await pub.transport.exchange([
    16,
    1,
    {
      retain: true,
      eligible_authid: ["a"],
    },
    "com.example.t",
    ["for a"],
  ]);
  const fa = await a.transport.exchange([
    32,
    1,
    { get_retained: true },
    "com.example.t",
  ]);
  const fb = await b.transport.exchange([
    32,
    1,
    { get_retained: true },
    "com.example.t",
  ]);
  assertEquals([fa.length, fb.length], [2, 1]);
});

Deno.test("Broker.publish() passes an end-to-end encrypted payload through untouched", async () => {
  await using router = testRouter();
  const sub = await joined(router);
  const pub = await joined(router);
  await subscribe(sub, "com.example.t");
  const sealed = new Uint8Array([0, 1, 2, 254, 255]);
  const ppt = {
    "ppt_scheme": "wamp",
    "ppt_serializer": "cbor",
    "ppt_cipher": "xsalsa20poly1305",
    "ppt_keyid": "key-1",
  };
  await pub.transport.exchange([16, 1, ppt, "com.example.t", sealed]);
  const [event] = events(sub);
  assertEquals(event?.[3], ppt);
  assertEquals(event?.[4], sealed);
  assertEquals(event?.length, 5);
});

Deno.test("Broker.publish() refuses a binary payload outside passthrough mode", async () => {
  await using router = testRouter();
  const pub = await joined(router);
  const frames = await pub.transport.exchange([
    16,
    1,
    {},
    "com.example.t",
    new Uint8Array([1]),
  ]);
  assertEquals(frames[0]?.[0], 3);
  assertEquals(frames[0]?.[2], "wamp.error.protocol_violation");
});
