import {
  autobahnConnect,
  nextCall,
  RawWampClient,
  startWampServer,
  type WampServer,
} from "./_wire_helpers.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";
import type { WampMessage } from "../../../lib/wamp/transport.ts";

const VIOLATION = "wamp.error.protocol_violation";

/** Asserts an ABORT protocol_violation with a reason, then the close. */
async function expectAbort(client: RawWampClient): Promise<CloseEvent> {
  const abort = await client.next();
  assertEquals(abort[0], 3, `expected ABORT, got ${JSON.stringify(abort)}`);
  assertEquals(abort[2], VIOLATION);
  const message = (abort[1] as { message?: unknown }).message;
  assert(
    typeof message === "string" && message.length > 0,
    "ABORT needs a reason",
  );
  return await client.closed;
}

async function violate(
  server: WampServer,
  subprotocol: string,
  join: boolean,
  frame: string | Uint8Array | WampMessage,
): Promise<CloseEvent> {
  const client = join
    ? (await RawWampClient.joined(server.url, subprotocol)).client
    : await RawWampClient.open(server.url, subprotocol);
  if (typeof frame === "string" || frame instanceof Uint8Array) {
    client.sendRaw(frame);
  } else client.send(frame);
  return await expectAbort(client);
}

const JSON_CASES: [string, boolean, string | Uint8Array | WampMessage][] = [
  ["invalid JSON", false, '[1, "realm1", {'],
  ["a frame that is not an array", true, '{"type": 16}'],
  [
    "a message type that is not an integer",
    true,
    '["16", 1, {}, "com.example.t"]',
  ],
  ["an unknown message type", true, [99, 1, {}]],
  ["a request id of the wrong type", true, [32, "one", {}, "com.example.t"]],
  ["a message with too few fields", true, [16, 1]],
  ["CALL before WELCOME", false, [48, 1, {}, "com.example.p"]],
  ["a second HELLO", true, [1, "realm1", { roles: { caller: {} } }]],
  [
    "a binary frame on wamp.2.json",
    true,
    new Uint8Array([0x93, 0x10, 0x01, 0x80]),
  ],
  [
    "a batched frame on plain wamp.2.json",
    true,
    '[16,1,{},"a.b"]\x1e[16,2,{},"a.b"]\x1e',
  ],
  [
    "values nested too deeply",
    true,
    `[16,1,{},"a.b",${"[".repeat(100)}${"]".repeat(100)}]`,
  ],
];

for (const [what, join, frame] of JSON_CASES) {
  Deno.test(`createWebSocketService() aborts a json session on ${what}`, async () => {
    await using server = startWampServer();
    await violate(server, "wamp.2.json", join, frame);
  });
}

Deno.test("createWebSocketService() aborts a msgpack session on a text frame or garbage bytes", async () => {
  await using server = startWampServer();
  await violate(server, "wamp.2.msgpack", true, '[16,1,{},"a.b"]');
  await violate(server, "wamp.2.msgpack", true, new Uint8Array([0xc1, 0xc1]));
  await violate(server, "wamp.2.cbor", true, new Uint8Array([0xff, 0x00]));
  await violate(
    server,
    "wamp.2.msgpack.batched",
    true,
    new Uint8Array([0, 0, 0, 9, 0x90]),
  );
});

Deno.test("createWebSocketService() aborts an oversized message and closes with 1009", async () => {
  await using server = startWampServer({
    type: "websocket",
    options: { max_message_size: 1024 },
  });
  const { client } = await RawWampClient.joined(server.url);
  client.send([16, 1, {}, "com.example.big", ["x".repeat(2000)]]);
  const close = await expectAbort(client);
  assertEquals(close.code, 1009);
  // a message under the limit is fine on a fresh session
  const { client: small } = await RawWampClient.joined(server.url);
  await using _small = small;
  small.send([16, 2, { acknowledge: true }, "com.example.big", [
    "x".repeat(500),
  ]]);
  assertEquals((await small.next())[0], 17);
});

Deno.test("createWebSocketService() answers an invalid URI with ERROR wamp.error.invalid_uri", async () => {
  await using server = startWampServer();
  const { client } = await RawWampClient.joined(server.url);
  await using _client = client;
  client.send([32, 7, {}, "com..bad"]);
  const error = await client.next();
  assertEquals([error[0], error[1], error[2], error[4]], [
    8,
    32,
    7,
    "wamp.error.invalid_uri",
  ]);
});

Deno.test("createWebSocketService() keeps other sessions untouched while one is aborted", async () => {
  await using server = startWampServer();
  await using steady = await autobahnConnect(server.url, {
    serializer: "msgpack",
  });
  const events = nextCall<[unknown[]]>();
  await steady.session.subscribe("com.example.tick", events.fn);
  const { client: publisher } = await RawWampClient.joined(server.url);
  await using _publisher = publisher;
  let n = 0;
  for (const [, join, frame] of JSON_CASES) {
    await violate(server, "wamp.2.json", join, frame);
    publisher.send([16, ++n, { acknowledge: true }, "com.example.tick", [n]]);
    assertEquals((await publisher.next())[0], 17);
    assertEquals((await events.next())[0], [n]);
  }
  assertEquals(await steady.session.call("wamp.session.count"), 2);
});
