import { assertEquals } from "../_helpers/assert.ts";
import {
  type AuthorizingSession,
  type PermissionConfig,
  StaticRole,
} from "../../lib/wamp/authorization.ts";
import type { RealmConfig } from "../../lib/wamp/realm.ts";
import {
  flush,
  joined,
  OPEN_REALM,
  testRouter,
} from "./_helpers/wamp_recording_transport.ts";

const SESSION: AuthorizingSession = {
  id: 1,
  details: () => ({}),
  authorizationCache: new Map(),
};

const ALL = { call: true, register: true, publish: true, subscribe: true };

function allowed(role: StaticRole, uri: string, action = "call" as const) {
  return role.authorize(SESSION, uri, action).allow;
}

Deno.test("StaticRole.authorize() denies by default", () => {
  const role = new StaticRole("r", []);
  assertEquals(role.authorize(SESSION, "com.example.p", "call"), {
    allow: false,
    disclose: false,
    cache: true,
  });
});

Deno.test("StaticRole.authorize() matches exact permissions exactly", () => {
  const role = new StaticRole("r", [{
    uri: "com.example.p",
    match: "exact",
    allow: ALL,
  }]);
  assertEquals(allowed(role, "com.example.p"), true);
  assertEquals(allowed(role, "com.example.p2"), false);
  assertEquals(allowed(role, "com.example"), false);
});

Deno.test("StaticRole.authorize() allows only the configured actions", () => {
  const role = new StaticRole("r", [{
    uri: "com.example.p",
    allow: { call: true },
  }]);
  assertEquals(allowed(role, "com.example.p", "call"), true);
  assertEquals(
    role.authorize(SESSION, "com.example.p", "register").allow,
    false,
  );
  assertEquals(
    role.authorize(SESSION, "com.example.p", "publish").allow,
    false,
  );
  assertEquals(
    role.authorize(SESSION, "com.example.p", "subscribe").allow,
    false,
  );
});

Deno.test("StaticRole.authorize() uses the longest matching prefix", () => {
  const role = new StaticRole("r", [
    { uri: "com.", match: "prefix", allow: { call: true } },
    { uri: "com.secret.", match: "prefix", allow: { call: false } },
  ]);
  assertEquals(allowed(role, "com.open.p"), true);
  assertEquals(allowed(role, "com.secret.p"), false);
  assertEquals(allowed(role, "org.p"), false);
});

Deno.test("StaticRole.authorize() lets an exact permission beat a prefix", () => {
  const role = new StaticRole("r", [
    { uri: "com.", match: "prefix", allow: { call: false } },
    { uri: "com.ok", match: "exact", allow: { call: true } },
  ]);
  assertEquals(allowed(role, "com.ok"), true);
  assertEquals(allowed(role, "com.ok2"), false);
});

Deno.test("StaticRole.authorize() tries wildcards before prefixes, as Crossbar", () => {
  const role = new StaticRole("r", [
    { uri: "", match: "prefix", allow: { call: true } },
    { uri: "com..secret", match: "wildcard", allow: { call: false } },
  ]);
  assertEquals(allowed(role, "com.a.secret"), false);
  assertEquals(allowed(role, "com.a.public"), true);
  assertEquals(allowed(role, "com.a.b.secret"), true);
});

Deno.test("StaticRole.authorize() converts starred URIs when match is omitted", () => {
  const permissions: PermissionConfig[] = [
    { uri: "com.ex.*", allow: { call: true } },
    { uri: "org.*.get", allow: { call: true } },
    { uri: "net.exact", allow: { call: true } },
  ];
  const role = new StaticRole("r", permissions);
  assertEquals(allowed(role, "com.ex.anything.deep"), true);
  assertEquals(allowed(role, "org.users.get"), true);
  assertEquals(allowed(role, "org.users.set"), false);
  assertEquals(allowed(role, "net.exact"), true);
  assertEquals(allowed(role, "net.exact.more"), false);
  const everything = new StaticRole("r", [{ uri: "*", allow: ALL }]);
  assertEquals(allowed(everything, "any.uri.at.all"), true);
});

Deno.test("StaticRole.authorize() keeps stars literal when match is explicit", () => {
  const role = new StaticRole("r", [{
    uri: "com.ex.*",
    match: "exact",
    allow: ALL,
  }]);
  assertEquals(allowed(role, "com.ex.p"), false);
});

Deno.test("StaticRole.authorize() reports disclosure for call and publish only", () => {
  const role = new StaticRole("r", [{
    uri: "com.",
    match: "prefix",
    allow: ALL,
    disclose: { caller: true, publisher: false },
  }]);
  assertEquals(role.authorize(SESSION, "com.p", "call").disclose, true);
  assertEquals(role.authorize(SESSION, "com.p", "publish").disclose, false);
  assertEquals(role.authorize(SESSION, "com.p", "register").disclose, false);
});

const LIMITED: RealmConfig = {
  name: "realm1",
  roles: [
    {
      name: "reader",
      permissions: [{
        uri: "com.example.*",
        allow: { subscribe: true, call: true },
      }],
    },
    {
      name: "writer",
      permissions: [{
        uri: "com.example.*",
        allow: { publish: true, register: true },
      }],
    },
  ],
};

Deno.test("Realm.authorize() answers not_authorized for every denied action", async () => {
  await using router = testRouter([LIMITED]);
  const reader = await joined(router, { role: "reader", authid: "r" });
  const denied = (frames: unknown[][]) => frames[0]?.[4];
  assertEquals(
    denied(await reader.transport.exchange([64, 1, {}, "com.example.p"])),
    "wamp.error.not_authorized",
  );
  assertEquals(
    denied(
      await reader.transport.exchange([
        16,
        2,
        { acknowledge: true },
        "com.example.t",
      ]),
    ),
    "wamp.error.not_authorized",
  );
  const writer = await joined(router, { role: "writer" });
  assertEquals(
    denied(await writer.transport.exchange([32, 1, {}, "com.example.t"])),
    "wamp.error.not_authorized",
  );
  const [error] = await writer.transport.exchange([48, 2, {}, "com.example.p"]);
  assertEquals(error, [8, 48, 2, {}, "wamp.error.not_authorized", [
    `Session ${writer.sessionId} (authid "${
      (writer.welcome[2] as Record<string, string>).authid
    }", authrole "writer") is not authorized to call procedure "com.example.p"`,
  ]]);
});

Deno.test("Realm.authorize() lets allowed actions through", async () => {
  await using router = testRouter([LIMITED]);
  const reader = await joined(router, { role: "reader" });
  const writer = await joined(router, { role: "writer" });
  assertEquals(
    (await reader.transport.exchange([32, 1, {}, "com.example.t"]))[0]?.[0],
    33,
  );
  assertEquals(
    (await writer.transport.exchange([64, 1, {}, "com.example.p"]))[0]?.[0],
    65,
  );
  await reader.transport.exchange([48, 2, {}, "com.example.p"]);
  assertEquals(writer.transport.take()[0]?.[0], 68);
});

Deno.test("Realm.authorize() asks a dynamic authorizer and honours its answer", async () => {
  const realm: RealmConfig = {
    ...OPEN_REALM,
    roles: [
      ...OPEN_REALM.roles!,
      { name: "dynamic", authorizer: "com.example.authorize" },
    ],
  };
  await using router = testRouter([realm]);
  const authorizer = await joined(router);
  await authorizer.transport.exchange([64, 1, {}, "com.example.authorize"]);
  const client = await joined(router, { role: "dynamic", authid: "dyn" });
  client.transport.deliver([32, 1, {}, "com.example.allowed"]);
  await flush();
  const [inv] = authorizer.transport.take();
  assertEquals(inv?.[0], 68);
  const [details, uri, action, options] = inv![4] as unknown[];
  assertEquals((details as Record<string, unknown>).session, client.sessionId);
  assertEquals((details as Record<string, unknown>).authid, "dyn");
  assertEquals([uri, action, options], [
    "com.example.allowed",
    "subscribe",
    {},
  ]);
  await authorizer.transport.exchange([70, inv![1], {}, [true]]);
  await flush();
  assertEquals(client.transport.take()[0]?.[0], 33);
  client.transport.deliver([32, 2, {}, "com.example.denied"]);
  await flush();
  const [inv2] = authorizer.transport.take();
  await authorizer.transport.exchange([70, inv2![1], {}, [{ allow: false }]]);
  await flush();
  assertEquals(client.transport.take()[0]?.[4], "wamp.error.not_authorized");
});

Deno.test("Realm.authorize() caches a dynamic decision marked cache", async () => {
  const realm: RealmConfig = {
    ...OPEN_REALM,
    roles: [...OPEN_REALM.roles!, {
      name: "dynamic",
      authorizer: "com.example.authorize",
    }],
  };
  await using router = testRouter([realm]);
  const authorizer = await joined(router);
  await authorizer.transport.exchange([64, 1, {}, "com.example.authorize"]);
  const client = await joined(router, { role: "dynamic" });
  client.transport.deliver([16, 1, { acknowledge: true }, "com.example.t"]);
  await flush();
  const [inv] = authorizer.transport.take();
  await authorizer.transport.exchange([70, inv![1], {}, [{
    allow: true,
    cache: true,
  }]]);
  await flush();
  assertEquals(client.transport.take()[0]?.[0], 17);
  assertEquals(
    (await client.transport.exchange([
      16,
      2,
      { acknowledge: true },
      "com.example.t",
    ]))[0]?.[0],
    17,
  );
  assertEquals(authorizer.transport.take(), []);
});

Deno.test("Realm.authorize() reports authorization_failed when the authorizer fails", async () => {
  const realm: RealmConfig = {
    ...OPEN_REALM,
    roles: [...OPEN_REALM.roles!, {
      name: "dynamic",
      authorizer: "com.example.missing",
    }],
  };
  await using router = testRouter([realm]);
  const client = await joined(router, { role: "dynamic" });
  client.transport.deliver([48, 1, {}, "com.example.p"]);
  await flush();
  await flush();
  const [error] = client.transport.take();
  assertEquals(error?.slice(0, 5), [
    8,
    48,
    1,
    {},
    "wamp.error.authorization_failed",
  ]);
});
