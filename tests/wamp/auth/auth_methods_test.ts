import autobahn from "autobahn";
import { ticketAuthMethod } from "../../../lib/wamp/auth/ticket.ts";
import {
  deriveWampCraKey,
  signWampCra,
  wampcraAuthMethod,
} from "../../../lib/wamp/auth/wampcra.ts";
import { cryptosignAuthMethod } from "../../../lib/wamp/auth/cryptosign.ts";
import { dynamicAnonymousAuthMethod } from "../../../lib/wamp/auth/anonymous_dynamic.ts";
import { AuthConfigError } from "../../../lib/wamp/auth/auth_config.ts";
import type {
  AuthResult,
  HelloInfo,
  ProcedureCaller,
} from "../../../lib/wamp/auth/authenticator.ts";
import { assert, assertEquals, assertThrows } from "../../_helpers/assert.ts";

const TRANSPORT = {
  type: "websocket",
  peer: "tcp4:127.0.0.1:5000",
  serializer: "json",
  secure: false,
};

function hello(more: Partial<HelloInfo> = {}): HelloInfo {
  return { realm: "realm1", sessionId: 42, transport: TRANSPORT, ...more };
}

function expectWelcome(result: AuthResult) {
  if (result.kind !== "welcome") {
    throw new Error(`expected welcome, got ${JSON.stringify(result)}`);
  }
  return result;
}

function expectDeny(result: AuthResult, uri = "wamp.error.not_authorized") {
  if (result.kind !== "deny") {
    throw new Error(`expected deny, got ${JSON.stringify(result)}`);
  }
  assertEquals(result.uri, uri);
  return result;
}

/** A caller that records calls and answers with `answer`. */
function recordingCaller(answer: (args: unknown[]) => unknown) {
  const calls: { realm: string; procedure: string; args: unknown[] }[] = [];
  const caller: ProcedureCaller = {
    callProcedure(realm, procedure, args) {
      calls.push({ realm, procedure, args });
      try {
        return Promise.resolve(answer(args));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
  return { caller, calls };
}

Deno.test("ticketAuthMethod() welcomes the right ticket and denies a wrong one", async () => {
  const method = ticketAuthMethod({
    type: "static",
    principals: { joe: { ticket: "secret!", role: "user" } },
  });
  const good = method.start();
  assertEquals((await good.hello(hello({ authid: "joe" }))).kind, "challenge");
  const welcome = expectWelcome(await good.authenticate("secret!", {}));
  assertEquals(
    [
      welcome.authid,
      welcome.authrole,
      welcome.authmethod,
      welcome.authprovider,
    ],
    ["joe", "user", "ticket", "static"],
  );
  const bad = method.start();
  await bad.hello(hello({ authid: "joe" }));
  expectDeny(await bad.authenticate("secret", {}));
  const unknown = method.start();
  expectDeny(await unknown.hello(hello({ authid: "eve" })));
});

Deno.test("ticketAuthMethod() reads ${VAR} tickets from the environment", async () => {
  const env = (name: string) => name === "JOE_TICKET" ? "from-env" : undefined;
  const method = ticketAuthMethod({
    type: "static",
    principals: { joe: { ticket: "${JOE_TICKET}", role: "user" } },
  }, { getEnv: env });
  const auth = method.start();
  await auth.hello(hello({ authid: "joe" }));
  expectWelcome(await auth.authenticate("from-env", {}));
  const error = assertThrows(() =>
    ticketAuthMethod({
      type: "static",
      principals: { joe: { ticket: "${MISSING_VAR}", role: "user" } },
    }, { getEnv: env }), AuthConfigError);
  assert(error.message.includes("MISSING_VAR"), error.message);
});

Deno.test("ticketAuthMethod() dynamic passes the ticket to the authenticator", async () => {
  const { caller, calls } = recordingCaller(([, authid, details]) => {
    const ticket = (details as { ticket: string }).ticket;
    if (ticket !== "t0ps3cret") {
      throw Object.assign(new Error("denied"), {
        uri: "com.example.invalid_ticket",
        args: ["wrong ticket"],
      });
    }
    return { role: "user", authid: `${authid}-x`, extra: { a: 1 } };
  });
  const method = ticketAuthMethod({
    type: "dynamic",
    authenticator: "com.example.auth",
    "authenticator-realm": "auth-realm",
  }, { caller });
  const good = method.start();
  await good.hello(hello({ authid: "joe" }));
  const welcome = expectWelcome(await good.authenticate("t0ps3cret", {}));
  assertEquals(welcome.authid, "joe-x");
  assertEquals(welcome.authprovider, "dynamic");
  assertEquals(welcome.authextra, { a: 1 });
  assertEquals(calls[0]!.realm, "auth-realm");
  assertEquals(calls[0]!.procedure, "com.example.auth");
  assertEquals(calls[0]!.args.slice(0, 2), ["realm1", "joe"]);
  const bad = method.start();
  await bad.hello(hello({ authid: "joe" }));
  const denied = expectDeny(
    await bad.authenticate("nope", {}),
    "com.example.invalid_ticket",
  );
  assertEquals(denied.message, "wrong ticket");
});

Deno.test("ticketAuthMethod() dynamic denies an invalid authenticator result", async () => {
  const { caller } = recordingCaller(() => 42);
  const auth = ticketAuthMethod({
    type: "dynamic",
    authenticator: "com.example.auth",
  }, { caller }).start();
  await auth.hello(hello({ authid: "joe" }));
  expectDeny(
    await auth.authenticate("x", {}),
    "wamp.error.authentication_failed",
  );
});

Deno.test("deriveWampCraKey() and signWampCra() match autobahn-js", async () => {
  for (
    const [secret, salt, iterations, keylen] of [
      ["secret", "salt", 1000, 32],
      ["pässwörd", "s4lt", 100, 16],
    ] as const
  ) {
    assertEquals(
      await deriveWampCraKey(secret, salt, { iterations, keylen }),
      autobahn.auth_cra.derive_key(secret, salt, iterations, keylen),
    );
  }
  const challenge = '{"authid":"joe","nonce":"x"}';
  assertEquals(
    await signWampCra("k3y", challenge),
    autobahn.auth_cra.sign("k3y", challenge),
  );
});

Deno.test("wampcraAuthMethod() checks plain and salted signatures made by autobahn-js", async () => {
  const method = wampcraAuthMethod({
    type: "static",
    users: {
      joe: { secret: "secret1", role: "user" },
      ann: {
        // Crossbar: a salted user's secret is the derived key.
        secret: autobahn.auth_cra.derive_key("secret2", "salt123", 100, 32),
        role: "admin",
        salt: "salt123",
        iterations: 100,
        keylen: 32,
      },
    },
  });
  const plain = method.start();
  const challenge = await plain.hello(hello({ authid: "joe" }));
  assert(challenge.kind === "challenge");
  const text = challenge.extra.challenge as string;
  assertEquals(JSON.parse(text).authid, "joe");
  assertEquals(JSON.parse(text).session, 42);
  expectWelcome(
    await plain.authenticate(autobahn.auth_cra.sign("secret1", text), {}),
  );

  const salted = method.start();
  const saltedChallenge = await salted.hello(hello({ authid: "ann" }));
  assert(saltedChallenge.kind === "challenge");
  const { salt, iterations, keylen } = saltedChallenge.extra as Record<
    string,
    never
  >;
  assertEquals([salt, iterations, keylen], ["salt123", 100, 32]);
  const key = autobahn.auth_cra.derive_key("secret2", salt, iterations, keylen);
  const welcome = expectWelcome(
    await salted.authenticate(
      autobahn.auth_cra.sign(key, saltedChallenge.extra.challenge),
      {},
    ),
  );
  assertEquals(welcome.authrole, "admin");

  const wrong = method.start();
  const c = await wrong.hello(hello({ authid: "joe" }));
  assert(c.kind === "challenge");
  expectDeny(
    await wrong.authenticate(
      autobahn.auth_cra.sign("nope", c.extra.challenge),
      {},
    ),
  );
  expectDeny(await method.start().hello(hello({})));
});

Deno.test("wampcraAuthMethod() dynamic takes the secret from the authenticator", async () => {
  const { caller } = recordingCaller(([, authid]) =>
    authid === "joe"
      ? {
        secret: autobahn.auth_cra.derive_key("s3", "NaCl", 1000, 32),
        role: "user",
        salt: "NaCl",
      }
      : (() => {
        throw Object.assign(new Error("no"), {
          uri: "wamp.error.not_authorized",
          args: [],
        });
      })()
  );
  const method = wampcraAuthMethod({ type: "dynamic", authenticator: "auth" }, {
    caller,
  });
  const auth = method.start();
  const c = await auth.hello(hello({ authid: "joe" }));
  assert(c.kind === "challenge");
  const key = autobahn.auth_cra.derive_key("s3", "NaCl", 1000, 32);
  expectWelcome(
    await auth.authenticate(autobahn.auth_cra.sign(key, c.extra.challenge), {}),
  );
  expectDeny(await method.start().hello(hello({ authid: "eve" })));
});

Deno.test("cryptosignAuthMethod() verifies autobahn-js signatures and rejects forged ones", async () => {
  const pair = autobahn.nacl.sign.keyPair();
  const other = autobahn.nacl.sign.keyPair();
  const pubkey = autobahn.auth_cryptosign.public_key(pair);
  const method = cryptosignAuthMethod({
    type: "static",
    principals: { device1: { authorized_keys: [pubkey], role: "device" } },
  });
  const auth = method.start();
  const c = await auth.hello(hello({ authextra: { pubkey } }));
  assert(c.kind === "challenge");
  assertEquals(c.extra.channel_binding, null);
  assertEquals((c.extra.challenge as string).length, 64);
  const signature = autobahn.auth_cryptosign.sign_challenge(pair, c.extra);
  assertEquals(signature.length, 192);
  const welcome = expectWelcome(await auth.authenticate(signature, {}));
  assertEquals([welcome.authid, welcome.authrole], ["device1", "device"]);

  const forged = method.start();
  const c2 = await forged.hello(hello({ authextra: { pubkey } }));
  assert(c2.kind === "challenge");
  expectDeny(
    await forged.authenticate(
      autobahn.auth_cryptosign.sign_challenge(other, c2.extra),
      {},
    ),
  );

  const stranger = method.start();
  expectDeny(
    await stranger.hello(hello({
      authextra: { pubkey: autobahn.auth_cryptosign.public_key(other) },
    })),
  );
  expectDeny(await method.start().hello(hello({ authextra: {} })));
  expectDeny(
    await method.start().hello(hello({ authid: "x", authextra: { pubkey } })),
  );
});

Deno.test("cryptosignAuthMethod() rejects a malformed authorized key at creation", () => {
  assertThrows(() =>
    cryptosignAuthMethod({
      type: "static",
      principals: { a: { authorized_keys: ["abc"], role: "r" } },
    }), AuthConfigError);
});

Deno.test("dynamicAnonymousAuthMethod() takes the role from the authenticator", async () => {
  const { caller } = recordingCaller(() => "guest");
  const auth = dynamicAnonymousAuthMethod({
    type: "dynamic",
    authenticator: "a",
  }, caller).start();
  const welcome = expectWelcome(await auth.hello(hello()));
  assertEquals(welcome.authrole, "guest");
  assert(welcome.authid.length > 0);
  const failing = recordingCaller(() => {
    throw new Error("boom");
  });
  const denied = dynamicAnonymousAuthMethod(
    { type: "dynamic", authenticator: "a" },
    failing.caller,
  ).start();
  expectDeny(await denied.hello(hello()), "wamp.error.authentication_failed");
});

Deno.test("cryptosignAuthMethod() dynamic checks the key the authenticator expects", async () => {
  const pair = autobahn.nacl.sign.keyPair();
  const other = autobahn.nacl.sign.keyPair();
  const pubkey = autobahn.auth_cryptosign.public_key(pair);
  const { caller, calls } = recordingCaller(([, , details]) => {
    const key = (details as { authextra: { pubkey: string } }).authextra.pubkey;
    return { role: "device", authid: `dev-${key.slice(0, 4)}`, pubkey };
  });
  const method = cryptosignAuthMethod({
    type: "dynamic",
    authenticator: "auth",
  }, { caller });
  const auth = method.start();
  const c = await auth.hello(hello({ authextra: { pubkey } }));
  assert(c.kind === "challenge");
  const welcome = expectWelcome(
    await auth.authenticate(
      autobahn.auth_cryptosign.sign_challenge(pair, c.extra),
      {},
    ),
  );
  assertEquals([welcome.authid, welcome.authprovider], [
    `dev-${pubkey.slice(0, 4)}`,
    "dynamic",
  ]);
  assertEquals(calls.length, 1);
  expectDeny(
    await method.start().hello(hello({
      authextra: { pubkey: autobahn.auth_cryptosign.public_key(other) },
    })),
  );
});

Deno.test("cryptosignAuthMethod() refuses a malformed signature without throwing", async () => {
  const pair = autobahn.nacl.sign.keyPair();
  const pubkey = autobahn.auth_cryptosign.public_key(pair);
  const method = cryptosignAuthMethod({
    type: "static",
    principals: { d: { authorized_keys: [pubkey], role: "r" } },
  });
  for (const signature of ["", "zz", "00".repeat(96), "ab".repeat(64)]) {
    const auth = method.start();
    await auth.hello(hello({ authextra: { pubkey } }));
    expectDeny(await auth.authenticate(signature, {}));
  }
});

Deno.test("Authenticator.authenticate() without a prior challenge is refused", async () => {
  const ticket = ticketAuthMethod({ type: "static", principals: {} }).start();
  expectDeny(await ticket.authenticate("x", {}));
  const cra = wampcraAuthMethod({ type: "static", users: {} }).start();
  expectDeny(await cra.authenticate("x", {}));
});
