import autobahn from "autobahn";
import {
  ALLOW_ALL,
  type AutobahnClient,
  autobahnConnect,
  AutobahnRefused,
  startWampServer,
} from "../wire/_wire_helpers.ts";
import type { RealmConfig } from "../../../lib/wamp/realm.ts";
import type { ServiceConfigInputOf } from "../../../lib/config/mod.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";

/** realm1 with an all-powerful `user` role, a `guest` role that may only
 * subscribe, and a `backend` role that registers authenticators. */
const REALM: RealmConfig = {
  name: "realm1",
  roles: [
    { name: "user", permissions: [ALLOW_ALL] },
    {
      name: "guest",
      permissions: [{
        uri: "com.example.",
        match: "prefix",
        allow: { subscribe: true },
      }],
    },
    { name: "backend", permissions: [ALLOW_ALL] },
  ],
};

/** A websocket path's `auth`, as a config writes it. */
type AuthConfig = NonNullable<ServiceConfigInputOf<"websocket">["auth"]>;

function serve(auth: AuthConfig) {
  return startWampServer({ type: "websocket", auth }, [REALM]);
}

async function refused(
  promise: Promise<AutobahnClient>,
): Promise<AutobahnRefused> {
  const outcome = await promise.then(
    async (client) => {
      await client.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  assert(
    outcome instanceof AutobahnRefused,
    `expected a refusal, got ${outcome}`,
  );
  return outcome;
}

const TICKET: AuthConfig = {
  ticket: {
    type: "static",
    principals: { joe: { ticket: "s3cr3t", role: "user" } },
  },
};

for (const serializer of ["json", "msgpack", "cbor"] as const) {
  Deno.test(`ticketAuthMethod() admits autobahn-js ${serializer} with the right ticket`, async () => {
    await using server = serve(TICKET);
    await using client = await autobahnConnect(server.url, {
      serializer,
      authmethods: ["ticket"],
      authid: "joe",
      onchallenge: (_s, method) => method === "ticket" ? "s3cr3t" : "",
    });
    assertEquals(
      [
        client.welcome.authid,
        client.welcome.authrole,
        client.welcome.authmethod,
        client.welcome.authprovider,
      ],
      ["joe", "user", "ticket", "static"],
    );
  });
}

Deno.test("ticketAuthMethod() refuses autobahn-js with a wrong ticket or unknown authid", async () => {
  await using server = serve(TICKET);
  const wrong = await refused(autobahnConnect(server.url, {
    authmethods: ["ticket"],
    authid: "joe",
    onchallenge: () => "guess",
  }));
  assertEquals(wrong.reason, "wamp.error.not_authorized");
  const stranger = await refused(autobahnConnect(server.url, {
    authmethods: ["ticket"],
    authid: "eve",
    onchallenge: () => "s3cr3t",
  }));
  assertEquals(stranger.reason, "wamp.error.not_authorized");
  const anonymous = await refused(autobahnConnect(server.url));
  assertEquals(anonymous.reason, "wamp.error.no_auth_method");
});

Deno.test("wampcraAuthMethod() admits autobahn-js with plain and salted secrets", async () => {
  await using server = serve({
    wampcra: {
      type: "static",
      users: {
        plain: { secret: "p1ain", role: "user" },
        salty: {
          // Crossbar: a salted user's secret is the derived key.
          secret: autobahn.auth_cra.derive_key("s4lty", "pepper", 500, 32),
          role: "guest",
          salt: "pepper",
          iterations: 500,
          keylen: 32,
        },
      },
    },
  });
  const sign =
    (secret: string) =>
    (_s: unknown, _m: string, extra: Record<string, unknown>) => {
      const key = extra.salt === undefined
        ? secret
        : autobahn.auth_cra.derive_key(
          secret,
          extra.salt,
          extra.iterations,
          extra.keylen,
        );
      return autobahn.auth_cra.sign(key, extra.challenge);
    };
  await using plain = await autobahnConnect(server.url, {
    authmethods: ["wampcra"],
    authid: "plain",
    onchallenge: sign("p1ain"),
  });
  assertEquals(plain.welcome.authrole, "user");
  await using salty = await autobahnConnect(server.url, {
    serializer: "msgpack",
    authmethods: ["wampcra"],
    authid: "salty",
    onchallenge: sign("s4lty"),
  });
  assertEquals(salty.welcome.authrole, "guest");
  const bad = await refused(autobahnConnect(server.url, {
    authmethods: ["wampcra"],
    authid: "salty",
    onchallenge: sign("wrong"),
  }));
  assertEquals(bad.reason, "wamp.error.not_authorized");
});

Deno.test("cryptosignAuthMethod() admits autobahn-js with an authorized Ed25519 key", async () => {
  const pair = autobahn.nacl.sign.keyPair();
  const stranger = autobahn.nacl.sign.keyPair();
  await using server = serve({
    cryptosign: {
      type: "static",
      principals: {
        device: {
          authorized_keys: [autobahn.auth_cryptosign.public_key(pair)],
          role: "user",
        },
      },
    },
  });
  const connect = (key: typeof pair, signer = key) =>
    autobahnConnect(server.url, {
      serializer: "cbor",
      authmethods: ["cryptosign"],
      authextra: { pubkey: autobahn.auth_cryptosign.public_key(key) },
      onchallenge: (_s, _m, extra) =>
        autobahn.auth_cryptosign.sign_challenge(signer, extra),
    });
  await using device = await connect(pair);
  assertEquals([device.welcome.authid, device.welcome.authmethod], [
    "device",
    "cryptosign",
  ]);
  assertEquals(
    (await refused(connect(stranger))).reason,
    "wamp.error.not_authorized",
  );
  assertEquals(
    (await refused(connect(pair, stranger))).reason,
    "wamp.error.not_authorized",
  );
});

/** Dynamic auth: the `backend` session (anonymous) registers the authenticator. */
function dynamicServer(method: "ticket" | "wampcra") {
  return serve({
    anonymous: { type: "static", role: "backend" },
    [method]: { type: "dynamic", authenticator: "com.example.authenticate" },
  });
}

Deno.test("ticketAuthMethod() dynamic asks an authenticator registered by another session", async () => {
  await using server = dynamicServer("ticket");
  await using backend = await autobahnConnect(server.url);
  const seen: unknown[][] = [];
  await backend.session.register(
    "com.example.authenticate",
    (args: unknown[]) => {
      seen.push(args);
      const [, authid, details] = args as [string, string, { ticket: string }];
      if (authid === "ann" && details.ticket === "open sesame") {
        return {
          role: "user",
          extra: { team: "blue" },
        };
      }
      if (authid === "ghost") return "no-such-role";
      throw new autobahn.Error("com.example.error.bad_ticket", ["no luck"]);
    },
  );
  await using ann = await autobahnConnect(server.url, {
    serializer: "msgpack",
    authmethods: ["ticket"],
    authid: "ann",
    onchallenge: () => "open sesame",
  });
  assertEquals([
    ann.welcome.authid,
    ann.welcome.authrole,
    ann.welcome.authprovider,
  ], ["ann", "user", "dynamic"]);
  assertEquals(seen[0]!.slice(0, 2), ["realm1", "ann"]);
  const bad = await refused(autobahnConnect(server.url, {
    authmethods: ["ticket"],
    authid: "ann",
    onchallenge: () => "wrong",
  }));
  assertEquals(bad.reason, "com.example.error.bad_ticket");
  const ghost = await refused(autobahnConnect(server.url, {
    authmethods: ["ticket"],
    authid: "ghost",
    onchallenge: () => "x",
  }));
  assertEquals(ghost.reason, "wamp.error.no_such_role");
});

Deno.test("wampcraAuthMethod() dynamic takes the secret from an authenticator session", async () => {
  await using server = dynamicServer("wampcra");
  await using backend = await autobahnConnect(server.url);
  await backend.session.register(
    "com.example.authenticate",
    (args: unknown[]) => {
      if (args[1] !== "bob") {
        throw new autobahn.Error(
          "wamp.error.not_authorized",
          ["who?"],
        );
      }
      return { secret: "b0b", role: "guest" };
    },
  );
  const sign =
    (secret: string) =>
    (_s: unknown, _m: string, extra: Record<string, unknown>) =>
      autobahn.auth_cra.sign(secret, extra.challenge);
  await using bob = await autobahnConnect(server.url, {
    authmethods: ["wampcra"],
    authid: "bob",
    onchallenge: sign("b0b"),
  });
  assertEquals(bob.welcome.authrole, "guest");
  // the guest role may subscribe but not publish
  const denied = await bob.session.publish("com.example.news", [], {}, {
    acknowledge: true,
  }).then(
    () => undefined,
    (e: { error: string }) => e.error,
  );
  assertEquals(denied, "wamp.error.not_authorized");
  assertEquals(
    (await refused(
      autobahnConnect(server.url, {
        authmethods: ["wampcra"],
        authid: "bob",
        onchallenge: sign("nope"),
      }),
    ))
      .reason,
    "wamp.error.not_authorized",
  );
  assertEquals(
    (await refused(
      autobahnConnect(server.url, {
        authmethods: ["wampcra"],
        authid: "eve",
        onchallenge: sign("x"),
      }),
    ))
      .reason,
    "wamp.error.not_authorized",
  );
});

Deno.test("ticketAuthMethod() dynamic refuses when no authenticator is registered", async () => {
  await using server = dynamicServer("ticket");
  const outcome = await refused(autobahnConnect(server.url, {
    authmethods: ["ticket"],
    authid: "ann",
    onchallenge: () => "x",
  }));
  assertEquals(outcome.reason, "wamp.error.no_such_procedure");
});
