import { assert, assertEquals } from "../_helpers/assert.ts";
import type { RealmConfig } from "../../lib/wamp/realm.ts";
import {
  type Joined,
  joined,
  OPEN_REALM,
  testRouter,
} from "./_helpers/wamp_recording_transport.ts";

let requestIds = 1000;

/** Calls a meta procedure and returns the RESULT args (or the ERROR). */
async function meta(
  s: Joined,
  procedure: string,
  args: unknown[] = [],
  kwargs?: Record<string, unknown>,
): Promise<unknown[]> {
  const id = ++requestIds;
  const message = kwargs === undefined
    ? [48, id, {}, procedure, args]
    : [48, id, {}, procedure, args, kwargs];
  const frames = await s.transport.exchange(message);
  const reply = frames.find((f) =>
    (f[0] === 50 || f[0] === 8) && f[f[0] === 8 ? 2 : 1] === id
  );
  assert(
    reply !== undefined,
    `no reply to ${procedure}: ${JSON.stringify(frames)}`,
  );
  return reply;
}

function result(reply: unknown[]): unknown {
  assertEquals(reply[0], 50, JSON.stringify(reply));
  return (reply[3] as unknown[] | undefined)?.[0];
}

Deno.test("MetaApi wamp.session.count and list see joined sessions, filtered by role", async () => {
  const realm: RealmConfig = {
    ...OPEN_REALM,
    roles: [...OPEN_REALM.roles!, { name: "other", permissions: [] }],
  };
  await using router = testRouter([realm]);
  const a = await joined(router);
  const b = await joined(router, { role: "other" });
  assertEquals(result(await meta(a, "wamp.session.count")), 2);
  assertEquals(result(await meta(a, "wamp.session.count", [["other"]])), 1);
  const list = result(await meta(a, "wamp.session.list")) as number[];
  assertEquals(list.sort(), [a.sessionId, b.sessionId].sort());
  assertEquals(result(await meta(a, "wamp.session.list", [["anonymous"]])), [
    a.sessionId,
  ]);
});

Deno.test("MetaApi wamp.session.get returns details or no_such_session", async () => {
  await using router = testRouter();
  const a = await joined(router, { authid: "alice" });
  const details = result(
    await meta(a, "wamp.session.get", [a.sessionId]),
  ) as Record<string, unknown>;
  assertEquals(details.session, a.sessionId);
  assertEquals(details.authid, "alice");
  assertEquals(details.authrole, "anonymous");
  assertEquals(details.authmethod, "anonymous");
  assertEquals(details.authprovider, "static");
  assertEquals(details.realm, "realm1");
  assertEquals(details.serializer, "json");
  assertEquals(details.transport, {
    type: "websocket",
    peer: "tcp4:127.0.0.1:50000",
    serializer: "json",
    secure: false,
  });
  const error = await meta(a, "wamp.session.get", [123]);
  assertEquals(error.slice(0, 5), [
    8,
    48,
    requestIds,
    {},
    "wamp.error.no_such_session",
  ]);
  const bad = await meta(a, "wamp.session.get", ["x"]);
  assertEquals(bad[4], "wamp.error.invalid_argument");
});

Deno.test("MetaApi wamp.session.kill sends GOODBYE to the victim and refuses the caller itself", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const victim = await joined(router);
  victim.transport.autoGoodbye = false;
  assertEquals(
    result(
      await meta(a, "wamp.session.kill", [victim.sessionId], {
        message: "bye",
      }),
    ),
    undefined,
  );
  assertEquals(victim.transport.take(), [[
    6,
    { message: "bye" },
    "wamp.close.killed",
  ]]);
  assertEquals(result(await meta(a, "wamp.session.count")), 1);
  await victim.transport.exchange([6, {}, "wamp.close.goodbye_and_out"]);
  assertEquals(victim.transport.closed, true);
  const self = await meta(a, "wamp.session.kill", [a.sessionId]);
  assertEquals(self[4], "wamp.error.no_such_session");
  const badReason = await meta(a, "wamp.session.kill", [victim.sessionId], {
    reason: "not a uri",
  });
  assertEquals(badReason[4], "wamp.error.invalid_uri");
});

Deno.test("MetaApi kill_by_authid and kill_by_authrole spare the caller", async () => {
  await using router = testRouter();
  const a = await joined(router, { authid: "same" });
  const b = await joined(router, { authid: "same" });
  const c = await joined(router, { authid: "other" });
  assertEquals(result(await meta(a, "wamp.session.kill_by_authid", ["same"])), [
    b.sessionId,
  ]);
  assertEquals(b.transport.closed, true);
  assertEquals(c.transport.closed, false);
  assertEquals(
    result(
      await meta(a, "wamp.session.kill_by_authrole", ["anonymous"], {
        reason: "com.example.bye",
      }),
    ),
    1,
  );
  assertEquals(c.transport.sent.at(-1), [6, {}, "com.example.bye"]);
  assertEquals(result(await meta(a, "wamp.session.count")), 1);
});

Deno.test("MetaApi publishes wamp.session.on_join and on_leave", async () => {
  await using router = testRouter();
  const watcher = await joined(router);
  await watcher.transport.exchange([32, 1, {}, "wamp.session.on_join"]);
  await watcher.transport.exchange([32, 2, {}, "wamp.session.on_leave"]);
  const b = await joined(router, { authid: "bob" });
  const [join] = watcher.transport.take();
  const details = (join![4] as unknown[])[0] as Record<string, unknown>;
  assertEquals([details.session, details.authid, details.authrole], [
    b.sessionId,
    "bob",
    "anonymous",
  ]);
  b.transport.drop();
  assertEquals(watcher.transport.take().map((e) => e[4]), [[
    b.sessionId,
    "bob",
    "anonymous",
  ]]);
});

Deno.test("MetaApi publishes subscription lifecycle events", async () => {
  await using router = testRouter();
  const watcher = await joined(router);
  await watcher.transport.exchange([
    32,
    1,
    { match: "prefix" },
    "wamp.subscription.on_",
  ]);
  const s1 = await joined(router);
  const s2 = await joined(router);
  const [subscribed] = await s1.transport.exchange([
    32,
    1,
    {},
    "com.example.t",
  ]);
  const id = subscribed![2];
  await s2.transport.exchange([32, 1, {}, "com.example.t"]);
  await s1.transport.exchange([34, 2, id]);
  s2.transport.drop();
  const got = watcher.transport.take().map((
    e,
  ) => [(e[3] as Record<string, unknown>).topic, e[4]]);
  const created = got[0]![1] as unknown[];
  assertEquals(got[0]![0], "wamp.subscription.on_create");
  assertEquals(created[0], s1.sessionId);
  const info = created[1] as Record<string, unknown>;
  assertEquals([info.id, info.uri, info.match], [id, "com.example.t", "exact"]);
  assert(typeof info.created === "string");
  assertEquals(got.slice(1), [
    ["wamp.subscription.on_subscribe", [s1.sessionId, id]],
    ["wamp.subscription.on_subscribe", [s2.sessionId, id]],
    ["wamp.subscription.on_unsubscribe", [s1.sessionId, id]],
    ["wamp.subscription.on_unsubscribe", [s2.sessionId, id]],
    ["wamp.subscription.on_delete", [s2.sessionId, id]],
  ]);
});

Deno.test("MetaApi publishes registration lifecycle events", async () => {
  await using router = testRouter();
  const watcher = await joined(router);
  await watcher.transport.exchange([
    32,
    1,
    { match: "prefix" },
    "wamp.registration.on_",
  ]);
  const callee = await joined(router);
  const [registered] = await callee.transport.exchange([
    64,
    1,
    {},
    "com.example.p",
  ]);
  const id = registered![2];
  await callee.transport.exchange([66, 2, id]);
  const got = watcher.transport.take().map((
    e,
  ) => [(e[3] as Record<string, unknown>).topic, e[4]]);
  assertEquals(got[0]![0], "wamp.registration.on_create");
  const info = (got[0]![1] as unknown[])[1] as Record<string, unknown>;
  assertEquals([info.id, info.uri, info.match, info.invoke], [
    id,
    "com.example.p",
    "exact",
    "single",
  ]);
  assertEquals(got.slice(1), [
    ["wamp.registration.on_register", [callee.sessionId, id]],
    ["wamp.registration.on_unregister", [callee.sessionId, id]],
    ["wamp.registration.on_delete", [callee.sessionId, id]],
  ]);
});

Deno.test("MetaApi subscription procedures list, look up, match and count", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const b = await joined(router);
  const exact =
    (await a.transport.exchange([32, 1, {}, "com.example.t"]))[0]![2];
  await b.transport.exchange([32, 1, {}, "com.example.t"]);
  const prefix =
    (await a.transport.exchange([32, 2, { match: "prefix" }, "com.example."]))[
      0
    ]![2];
  const wild =
    (await a.transport.exchange([32, 3, { match: "wildcard" }, "com..t"]))[0]![
      2
    ];
  assertEquals(result(await meta(a, "wamp.subscription.list")), {
    exact: [exact],
    prefix: [prefix],
    wildcard: [wild],
  });
  assertEquals(
    result(await meta(a, "wamp.subscription.lookup", ["com.example.t"])),
    exact,
  );
  assertEquals(
    result(
      await meta(a, "wamp.subscription.lookup", ["com.example.", {
        match: "prefix",
      }]),
    ),
    prefix,
  );
  assertEquals(
    result(await meta(a, "wamp.subscription.lookup", ["com.nothing"])),
    null,
  );
  const matched = result(
    await meta(a, "wamp.subscription.match", ["com.example.t"]),
  ) as number[];
  assertEquals(matched.sort(), [exact, prefix, wild].sort());
  assertEquals(
    result(await meta(a, "wamp.subscription.match", ["org.x"])),
    null,
  );
  const details = result(
    await meta(a, "wamp.subscription.get", [exact]),
  ) as Record<string, unknown>;
  assertEquals([details.id, details.uri, details.match], [
    exact,
    "com.example.t",
    "exact",
  ]);
  const subscribers = result(
    await meta(a, "wamp.subscription.list_subscribers", [exact]),
  ) as number[];
  assertEquals(subscribers.sort(), [a.sessionId, b.sessionId].sort());
  assertEquals(
    result(await meta(a, "wamp.subscription.count_subscribers", [exact])),
    2,
  );
  assertEquals(
    (await meta(a, "wamp.subscription.get", [42]))[4],
    "wamp.error.no_such_subscription",
  );
});

Deno.test("MetaApi wamp.subscription.remove_subscriber revokes a subscription", async () => {
  await using router = testRouter();
  const admin = await joined(router);
  const sub = await joined(router);
  const id =
    (await sub.transport.exchange([32, 1, {}, "com.example.t"]))[0]![2];
  assertEquals(
    result(
      await meta(admin, "wamp.subscription.remove_subscriber", [
        id,
        sub.sessionId,
      ]),
    ),
    undefined,
  );
  assertEquals(sub.transport.take(), [[35, 0, { subscription: id }]]);
  await admin.transport.exchange([16, 1, {}, "com.example.t"]);
  assertEquals(sub.transport.take(), []);
});

Deno.test("MetaApi registration procedures list, look up, match and count", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const b = await joined(router);
  const shared = (await a.transport.exchange([
    64,
    1,
    { invoke: "roundrobin" },
    "com.example.p",
  ]))[0]![2];
  await b.transport.exchange([
    64,
    1,
    { invoke: "roundrobin" },
    "com.example.p",
  ]);
  const prefix =
    (await a.transport.exchange([64, 2, { match: "prefix" }, "com.example."]))[
      0
    ]![2];
  assertEquals(result(await meta(a, "wamp.registration.list")), {
    exact: [shared],
    prefix: [prefix],
    wildcard: [],
  });
  assertEquals(
    result(await meta(a, "wamp.registration.lookup", ["com.example.p"])),
    shared,
  );
  assertEquals(
    result(
      await meta(a, "wamp.registration.lookup", ["com.example.", {
        match: "prefix",
      }]),
    ),
    prefix,
  );
  assertEquals(
    result(await meta(a, "wamp.registration.match", ["com.example.q"])),
    prefix,
  );
  assertEquals(
    result(await meta(a, "wamp.registration.match", ["org.q"])),
    null,
  );
  const details = result(
    await meta(a, "wamp.registration.get", [shared]),
  ) as Record<string, unknown>;
  assertEquals(details.invoke, "roundrobin");
  assertEquals(
    result(await meta(a, "wamp.registration.list_callees", [shared])),
    [a.sessionId, b.sessionId],
  );
  assertEquals(
    result(await meta(a, "wamp.registration.count_callees", [shared])),
    2,
  );
  assertEquals(
    result(
      await meta(a, "wamp.registration.remove_callee", [shared, b.sessionId]),
    ),
    undefined,
  );
  assertEquals(b.transport.take(), [[67, 0, { registration: shared }]]);
  assertEquals(
    result(await meta(a, "wamp.registration.count_callees", [shared])),
    1,
  );
  assertEquals(
    (await meta(a, "wamp.registration.get", [7]))[4],
    "wamp.error.no_such_registration",
  );
});

Deno.test("MetaApi procedures are authorized like any call", async () => {
  const realm: RealmConfig = {
    name: "realm1",
    roles: [{
      name: "anonymous",
      permissions: [{ uri: "com.*", allow: { call: true, subscribe: true } }],
    }],
  };
  await using router = testRouter([realm]);
  const a = await joined(router);
  assertEquals(
    (await meta(a, "wamp.session.count"))[4],
    "wamp.error.not_authorized",
  );
  const [error] = await a.transport.exchange([
    32,
    1,
    {},
    "wamp.session.on_join",
  ]);
  assertEquals(error?.[4], "wamp.error.not_authorized");
});

Deno.test("MetaApi is off with enable_meta_api false", async () => {
  await using router = testRouter([{
    ...OPEN_REALM,
    options: { enable_meta_api: false },
  }]);
  const a = await joined(router);
  const features = (a.welcome[2] as Record<string, unknown>).roles as Record<
    string,
    { features: Record<string, unknown> }
  >;
  assertEquals(features.dealer!.features.session_meta_api, undefined);
  assertEquals(
    (await meta(a, "wamp.session.count"))[4],
    "wamp.error.no_such_procedure",
  );
  await a.transport.exchange([32, 1, {}, "wamp.session.on_join"]);
  await joined(router);
  assertEquals(a.transport.take(), []);
});

Deno.test("MetaApi wamp.session.kill_all closes every other session", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const b = await joined(router);
  const c = await joined(router);
  assertEquals(result(await meta(a, "wamp.session.kill_all")), 2);
  assertEquals([a.transport.closed, b.transport.closed, c.transport.closed], [
    false,
    true,
    true,
  ]);
});

Deno.test("MetaApi wamp.subscription.get_events reports no history", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const reply = await meta(a, "wamp.subscription.get_events", [1]);
  assertEquals(reply[4], "wamp.error.history_unavailable");
});

Deno.test("MetaApi publishes a leaving session's testaments, unless flushed", async () => {
  await using router = testRouter();
  const watcher = await joined(router);
  await watcher.transport.exchange([32, 1, {}, "com.example.gone"]);
  const b = await joined(router);
  assertEquals(
    result(
      await meta(b, "wamp.session.add_testament", [
        "com.example.gone",
        ["bye", b.sessionId],
        { why: "lost" },
      ]),
    ),
    null,
  );
  await meta(b, "wamp.session.add_testament", ["com.example.gone", ["x"]], {
    scope: "detached",
  });
  assertEquals(
    result(
      await meta(b, "wamp.session.flush_testaments", [], { scope: "detached" }),
    ),
    1,
  );
  const bad = await meta(b, "wamp.session.add_testament", ["not a uri"]);
  assertEquals(bad[4], "wamp.error.invalid_uri");
  b.transport.drop();
  const events = watcher.transport.take().filter((m) => m[0] === 36);
  assertEquals(events.map((e) => e.slice(4)), [[
    ["bye", b.sessionId],
    { why: "lost" },
  ]]);
});
