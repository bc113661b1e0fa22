import {
  assert,
  assertEquals,
  assertRejects,
  assertThrows,
} from "../_helpers/assert.ts";
import { Result } from "../../lib/wamp/client/mod.ts";
import { WampError } from "../../lib/wamp/errors.ts";
import { createRouter } from "../../lib/wamp/router.ts";
import {
  connected,
  joined,
  OPEN_REALM,
  testRouter,
} from "./_helpers/wamp_recording_transport.ts";

Deno.test("createRouter() refuses two realms with one name", () => {
  assertThrows(
    () => createRouter({ realms: [OPEN_REALM, OPEN_REALM] }),
    TypeError,
    'Cannot create realm "realm1": a realm with that name already exists',
  );
});

Deno.test("Router.hasRealm() and stats() report configured realms and sessions", async () => {
  await using router = testRouter([OPEN_REALM, { name: "realm2" }]);
  assertEquals(router.hasRealm("realm1"), true);
  assertEquals(router.hasRealm("realm3"), false);
  await joined(router);
  await joined(router);
  await router.callProcedure("realm1", "wamp.session.count", []);
  assertEquals(router.stats(), {
    realms: [{ name: "realm1", sessions: 2 }, { name: "realm2", sessions: 0 }],
  });
});

Deno.test("Router.close() sends GOODBYE system_shutdown and closes every transport", async () => {
  const router = testRouter();
  const a = await joined(router);
  const b = await joined(router);
  b.transport.autoGoodbye = false;
  const idle = connected(router);
  await router.close();
  assertEquals(a.transport.take(), [[6, {}, "wamp.close.system_shutdown"]]);
  assertEquals(b.transport.take(), [[6, {}, "wamp.close.system_shutdown"]]);
  assertEquals([a.transport.closed, b.transport.closed, idle.closed], [
    true,
    true,
    true,
  ]);
  assertEquals(idle.sent, []);
  assertEquals(router.stats().realms[0]!.sessions, 0);
  await router.close();
});

Deno.test("Router.attach() after close() closes the new transport", async () => {
  const router = testRouter();
  await router.close();
  const late = connected(router);
  assertEquals(late.closed, true);
});

Deno.test("Router.callProcedure() calls as the trusted router and returns the first result", async () => {
  await using router = testRouter([{
    name: "realm1",
    roles: [{
      name: "anonymous",
      permissions: [{ uri: "com.example.p", allow: { register: true } }],
    }],
  }]);
  const callee = await joined(router);
  await callee.transport.exchange([64, 1, {}, "com.example.p"]);
  const pending = router.callProcedure("realm1", "com.example.p", [1], {
    k: 2,
  });
  await new Promise((resolve) => setTimeout(resolve, 10));
  const [inv] = callee.transport.take();
  assertEquals(inv?.slice(3), [{}, [1], { k: 2 }]);
  await callee.transport.exchange([70, inv![1], {}, ["first", "second"]]);
  assertEquals(await pending, "first");
});

Deno.test("Router.callProcedure() resolves kwargs when there are no positional results", async () => {
  await using router = testRouter();
  const callee = await router.connectLocal({
    realm: "realm1",
    authrole: "anonymous",
  });
  await callee.register("com.example.kw", () => new Result([], { a: 1 }));
  assertEquals(await router.callProcedure("realm1", "com.example.kw", []), {
    a: 1,
  });
});

Deno.test("Router.callProcedure() rejects with the WAMP error", async () => {
  await using router = testRouter();
  const error = await assertRejects(
    () => router.callProcedure("realm1", "com.example.none", []),
    WampError,
  );
  assertEquals(error.uri, "wamp.error.no_such_procedure");
  await assertRejects(
    () => router.callProcedure("nowhere", "com.example.none", []),
    WampError,
    "wamp.error.no_such_realm",
  );
});

Deno.test("Router.connectLocal() checks the realm and the role", async () => {
  await using router = testRouter();
  await assertRejects(
    () => router.connectLocal({ realm: "nowhere", authrole: "anonymous" }),
    WampError,
    "wamp.error.no_such_realm",
  );
  await assertRejects(
    () => router.connectLocal({ realm: "realm1", authrole: "ghost" }),
    WampError,
    "wamp.error.no_such_role",
  );
  const trusted = await router.connectLocal({
    realm: "realm1",
    authrole: "trusted",
    authid: "bridge",
  });
  assertEquals([trusted.authrole, trusted.authid, trusted.realm], [
    "trusted",
    "bridge",
    "realm1",
  ]);
  assertEquals(trusted.details.authmethod, "internal");
});

Deno.test("Router.connectLocal() sessions are visible to the meta API", async () => {
  await using router = testRouter();
  const local = await router.connectLocal({
    realm: "realm1",
    authrole: "anonymous",
  });
  const details = await router.callProcedure("realm1", "wamp.session.get", [
    local.sessionId,
  ]) as Record<string, unknown>;
  assertEquals(details.transport, {
    type: "internal",
    peer: "internal",
    serializer: "internal",
    secure: true,
  });
  assert(router.stats().realms[0]!.sessions === 1);
});

Deno.test("Router.close() aborts a session in the middle of its handshake", async () => {
  const router = testRouter();
  const t = connected(
    router,
    new Map([["ticket", {
      method: "ticket",
      start: () => ({
        method: "ticket",
        hello: () => Promise.resolve({ kind: "challenge" as const, extra: {} }),
        authenticate: () => new Promise<never>(() => {}),
      }),
    }]]),
  );
  await t.exchange([1, "realm1", {
    roles: { caller: {} },
    authmethods: ["ticket"],
  }]);
  await router.close();
  assertEquals(t.take(), [[
    3,
    { message: "The session was closed by the router" },
    "wamp.close.system_shutdown",
  ]]);
  assertEquals(t.closed, true);
});
