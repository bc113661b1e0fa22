import {
  AuthConfigError,
  createAuthMethods,
} from "../../../lib/wamp/auth/mod.ts";
import type { ProcedureCaller } from "../../../lib/wamp/auth/authenticator.ts";
import {
  assertEquals,
  assertStringIncludes,
  assertThrows,
} from "../../_helpers/assert.ts";

const CALLER: ProcedureCaller = {
  callProcedure: () => Promise.resolve("user"),
};
const TRANSPORT = {
  type: "websocket",
  peer: "tcp4:127.0.0.1:1",
  serializer: "json",
  secure: false,
};

Deno.test("createAuthMethods() offers anonymous with role anonymous when auth is absent", async () => {
  const methods = createAuthMethods(undefined, CALLER);
  assertEquals([...methods.keys()], ["anonymous"]);
  const result = await methods.get("anonymous")!.start().hello({
    realm: "realm1",
    sessionId: 1,
    transport: TRANSPORT,
  });
  assertEquals(result.kind === "welcome" && result.authrole, "anonymous");
});

Deno.test("createAuthMethods() builds every configured method in config order", async () => {
  const methods = createAuthMethods({
    ticket: { type: "dynamic", authenticator: "com.example.auth" },
    anonymous: { type: "static", role: "guest", authid: "visitor" },
    wampcra: { type: "static", users: {} },
    cryptosign: { type: "static", principals: {} },
  }, CALLER);
  assertEquals([...methods.keys()], [
    "ticket",
    "anonymous",
    "wampcra",
    "cryptosign",
  ]);
  const anonymous = await methods.get("anonymous")!.start().hello({
    realm: "realm1",
    sessionId: 1,
    transport: TRANSPORT,
  });
  assertEquals(
    anonymous.kind === "welcome" && [anonymous.authid, anonymous.authrole],
    ["visitor", "guest"],
  );
});

Deno.test("createAuthMethods() rejects unsupported methods and types", () => {
  const unsupported = assertThrows(
    () => createAuthMethods({ scram: { type: "static" } } as never, CALLER),
    AuthConfigError,
  );
  assertStringIncludes(unsupported.message, '"scram"');
  const badType = assertThrows(
    () => createAuthMethods({ ticket: { type: "function" } as never }, CALLER),
    AuthConfigError,
  );
  assertStringIncludes(badType.message, '"ticket"');
});

Deno.test("createAuthMethods() resolves ${VAR} secrets through getEnv", () => {
  const error = assertThrows(() =>
    createAuthMethods(
      {
        wampcra: {
          type: "static",
          users: { a: { secret: "${NOPE_SECRET}", role: "r" } },
        },
      },
      CALLER,
      { getEnv: () => undefined },
    ), AuthConfigError);
  assertStringIncludes(error.message, "NOPE_SECRET");
  createAuthMethods(
    {
      wampcra: {
        type: "static",
        users: { a: { secret: "${YES_SECRET}", role: "r" } },
      },
    },
    CALLER,
    { getEnv: () => "value" },
  );
});
