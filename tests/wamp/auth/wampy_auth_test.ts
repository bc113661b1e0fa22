import autobahn from "autobahn";
// deno-lint-ignore no-import-prefix -- subpath of the mapped wampy package
import { sign as craSign } from "npm:wampy@^8.0.2/wampcra.js";
// deno-lint-ignore no-import-prefix -- subpath of the mapped wampy package
import { sign as cryptosignSign } from "npm:wampy@^8.0.2/cryptosign.js";
import { ALLOW_ALL, startWampServer } from "../wire/_wire_helpers.ts";
import { deriveWampCraKey } from "../../../lib/wamp/auth/wampcra.ts";
import { wampy } from "../wire/_wampy_helpers.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";

/** wampy's plugin types are stricter than its own option type; bridge them. */
function plugin(
  sign: (method: string, info: never) => string | Promise<string>,
): (method: string, extra: Record<string, unknown>) => Promise<string> {
  return async (method, extra) => await sign(method, extra as never);
}

const REALM = {
  name: "realm1",
  roles: [{ name: "user", permissions: [ALLOW_ALL] }],
};

Deno.test("wampcraAuthMethod() admits wampy's salted WAMP-CRA plugin", async () => {
  await using server = startWampServer({
    type: "websocket",
    auth: {
      wampcra: {
        type: "static",
        users: {
          kate: {
            // Crossbar: a salted user's secret is the derived key.
            secret: await deriveWampCraKey("k4te", "sea", {
              iterations: 1000,
              keylen: 32,
            }),
            role: "user",
            salt: "sea",
            iterations: 1000,
            keylen: 32,
          },
        },
      },
    },
  }, [REALM]);
  await using kate = await wampy(server.url, "msgpack", {
    authid: "kate",
    authmethods: ["wampcra"],
    authMode: "auto",
    authPlugins: { wampcra: plugin(craSign("k4te")) },
  });
  assert(kate.getSessionId() !== null);
  const refused = await wampy(server.url, "json", {
    authid: "kate",
    authmethods: ["wampcra"],
    authMode: "auto",
    authPlugins: { wampcra: plugin(craSign("wrong")) },
  }).then(async (c) => {
    await c[Symbol.asyncDispose]();
    return false;
  }, () => true);
  assertEquals(refused, true);
});

Deno.test("cryptosignAuthMethod() admits wampy's cryptosign plugin", async () => {
  const pair = autobahn.nacl.sign.keyPair();
  const pubkey = autobahn.auth_cryptosign.public_key(pair);
  const secretHex = Array.from(
    pair.secretKey as Uint8Array,
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  await using server = startWampServer({
    type: "websocket",
    auth: {
      cryptosign: {
        type: "static",
        principals: { sensor: { authorized_keys: [pubkey], role: "user" } },
      },
    },
  }, [REALM]);
  await using sensor = await wampy(server.url, "cbor", {
    authid: "sensor",
    authmethods: ["cryptosign"],
    authextra: { pubkey },
    authMode: "auto",
    authPlugins: { cryptosign: plugin(cryptosignSign(secretHex)) },
  });
  const result = await sensor.call("wamp.session.count");
  assertEquals(result.argsList, [1]);
});

Deno.test("ticketAuthMethod() admits wampy answering the challenge by hand", async () => {
  await using server = startWampServer({
    type: "websocket",
    auth: {
      ticket: {
        type: "static",
        principals: { max: { ticket: "m4x", role: "user" } },
      },
    },
  }, [REALM]);
  await using max = await wampy(server.url, "json", {
    authid: "max",
    authmethods: ["ticket"],
    onChallenge: () => "m4x",
  });
  assert(max.getSessionId() !== null);
});
