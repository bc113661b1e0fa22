import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import type { AuthMethod } from "../../lib/wamp/auth/authenticator.ts";
import { anonymousAuthMethod } from "../../lib/wamp/auth/anonymous.ts";
import {
  CLIENT_ROLES,
  connected,
  flush,
  joined,
  OPEN_REALM,
  testRouter,
} from "./_helpers/wamp_recording_transport.ts";

function secretMethod(): AuthMethod {
  return {
    method: "ticket",
    start: () => ({
      method: "ticket",
      hello: () => Promise.resolve({ kind: "challenge", extra: { n: 1 } }),
      authenticate: (signature) =>
        Promise.resolve(
          signature === "secret"
            ? {
              kind: "welcome",
              realm: "realm1",
              authid: "joe",
              authrole: "anonymous",
              authmethod: "ticket",
              authprovider: "static",
              authextra: { color: "red" },
            }
            : {
              kind: "deny",
              uri: "wamp.error.not_authorized",
              message: "Wrong ticket",
            },
        ),
    }),
  };
}

Deno.test("Session.onMessage() welcomes an anonymous HELLO with identity, authextra and features", async () => {
  await using router = testRouter();
  const { welcome } = await joined(router, { authid: "alice" });
  const details = welcome[2] as Record<string, unknown>;
  assertEquals(details.realm, "realm1");
  assertEquals(details.authid, "alice");
  assertEquals(details.authrole, "anonymous");
  assertEquals(details.authmethod, "anonymous");
  assertEquals(details.authprovider, "static");
  assertEquals(details.authextra, {
    x_cb_node: "node1",
    x_cb_worker: "worker001",
    x_cb_peer: "tcp4:127.0.0.1:50000",
    x_cb_pid: Deno.pid,
  });
  const roles = details.roles as Record<string, { features: object }>;
  for (
    const feature of [
      "publisher_identification",
      "publisher_exclusion",
      "subscriber_blackwhite_listing",
      "pattern_based_subscription",
      "event_retention",
      "session_meta_api",
      "subscription_meta_api",
    ]
  ) {
    assertEquals(
      (roles.broker!.features as Record<string, unknown>)[feature],
      true,
    );
  }
  for (
    const feature of [
      "caller_identification",
      "pattern_based_registration",
      "shared_registration",
      "progressive_call_results",
      "call_canceling",
      "call_timeout",
      "registration_meta_api",
    ]
  ) {
    assertEquals(
      (roles.dealer!.features as Record<string, unknown>)[feature],
      true,
    );
  }
});

Deno.test("Session.onMessage() gives a random Crossbar-style authid when none is configured", async () => {
  await using router = testRouter();
  const { welcome } = await joined(router);
  assertMatch(
    String((welcome[2] as Record<string, unknown>).authid),
    /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/,
  );
});

Deno.test("Session.onMessage() aborts with no_such_realm for an unknown realm", async () => {
  await using router = testRouter();
  const t = connected(router);
  const frames = await t.exchange([1, "nowhere", { roles: CLIENT_ROLES }]);
  assertEquals(frames, [[
    3,
    { message: 'No realm "nowhere" exists on this router' },
    "wamp.error.no_such_realm",
  ]]);
  assertEquals(t.closed, true);
});

Deno.test("Session.onMessage() aborts with no_such_role when the role is not on the realm", async () => {
  await using router = testRouter();
  const t = connected(
    router,
    new Map([["anonymous", anonymousAuthMethod({ role: "ghost" })]]),
  );
  const frames = await t.exchange([1, "realm1", { roles: CLIENT_ROLES }]);
  assertEquals(frames, [[
    3,
    { message: 'No role "ghost" exists on realm "realm1"' },
    "wamp.error.no_such_role",
  ]]);
  assertEquals(t.closed, true);
});

Deno.test("Session.onMessage() aborts with no_auth_method when no offered method is configured", async () => {
  await using router = testRouter();
  const t = connected(router);
  const frames = await t.exchange([1, "realm1", {
    roles: CLIENT_ROLES,
    authmethods: ["ticket", "wampcra"],
  }]);
  assertEquals(frames, [[
    3,
    {
      message:
        'Cannot authenticate using any of the offered authmethods ["ticket","wampcra"]',
    },
    "wamp.error.no_auth_method",
  ]]);
  assertEquals(t.closed, true);
});

Deno.test("Session.onMessage() picks the first offered method the transport has", async () => {
  await using router = testRouter();
  const t = connected(
    router,
    new Map([["anonymous", anonymousAuthMethod()], ["ticket", secretMethod()]]),
  );
  const frames = await t.exchange([1, "realm1", {
    roles: CLIENT_ROLES,
    authmethods: ["wampcra", "ticket", "anonymous"],
  }]);
  assertEquals(frames, [[4, "ticket", { n: 1 }]]);
});

Deno.test("Session.onMessage() runs CHALLENGE and AUTHENTICATE to WELCOME", async () => {
  await using router = testRouter();
  const t = connected(router, new Map([["ticket", secretMethod()]]));
  await t.exchange([1, "realm1", {
    roles: CLIENT_ROLES,
    authmethods: ["ticket"],
  }]);
  const [welcome] = await t.exchange([5, "secret", {}]);
  assertEquals(welcome?.[0], 2);
  const details = welcome?.[2] as Record<string, unknown>;
  assertEquals(details.authid, "joe");
  assertEquals(details.authmethod, "ticket");
  assertEquals((details.authextra as Record<string, unknown>).color, "red");
});

Deno.test("Session.onMessage() aborts with the authenticator's URI on a wrong credential", async () => {
  await using router = testRouter();
  const t = connected(router, new Map([["ticket", secretMethod()]]));
  await t.exchange([1, "realm1", {
    roles: CLIENT_ROLES,
    authmethods: ["ticket"],
  }]);
  assertEquals(await t.exchange([5, "guess", {}]), [[
    3,
    { message: "Wrong ticket" },
    "wamp.error.not_authorized",
  ]]);
  assertEquals(t.closed, true);
});

Deno.test("Session.onMessage() answers a client GOODBYE and leaves the realm", async () => {
  await using router = testRouter();
  const a = await joined(router);
  await a.transport.exchange([64, 1, {}, "com.example.p"]);
  assertEquals(await a.transport.exchange([6, {}, "wamp.close.close_realm"]), [
    [6, {}, "wamp.close.goodbye_and_out"],
  ]);
  assertEquals(router.stats().realms, [{ name: "realm1", sessions: 0 }]);
  const b = await joined(router);
  const [error] = await b.transport.exchange([48, 1, {}, "com.example.p"]);
  assertEquals(error?.[4], "wamp.error.no_such_procedure");
});

Deno.test("Session.onMessage() can join again on the same transport after GOODBYE", async () => {
  await using router = testRouter();
  const a = await joined(router);
  await a.transport.exchange([6, {}, "wamp.close.close_realm"]);
  const [welcome] = await a.transport.exchange([1, "realm1", {
    roles: CLIENT_ROLES,
  }]);
  assertEquals(welcome?.[0], 2);
});

Deno.test("Session.onMessage() leaves the realm when the transport drops", async () => {
  await using router = testRouter();
  const a = await joined(router);
  await a.transport.exchange([32, 1, {}, "com.example.t"]);
  a.transport.drop();
  assertEquals(router.stats().realms, [{ name: "realm1", sessions: 0 }]);
});

Deno.test("Session.onMessage() ignores messages after the transport closed", async () => {
  await using router = testRouter();
  const a = await joined(router);
  a.transport.drop();
  a.transport.deliver([32, 1, {}, "com.example.t"]);
  await flush();
  assertEquals(a.transport.take(), []);
});

Deno.test("Session.onMessage() takes the realm from OPEN_REALM unchanged", () => {
  // The fixture is shared by many tests; make sure nobody mutated it.
  assertEquals(OPEN_REALM.name, "realm1");
  assertEquals(OPEN_REALM.roles?.length, 1);
});

Deno.test("Session.onMessage() treats an empty authmethods list as anonymous", async () => {
  await using router = testRouter();
  const t = connected(router);
  const [welcome] = await t.exchange([1, "realm1", {
    roles: CLIENT_ROLES,
    authid: "wampy-user",
    authmethods: [],
  }]);
  assertEquals(welcome?.[0], 2);
  assertEquals(
    (welcome?.[2] as Record<string, unknown>).authmethod,
    "anonymous",
  );
});
