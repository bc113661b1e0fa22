/**
 * The interop gaps: autobahn-js 22 on Node with each serializer it ships
 * and over its Node RawSocket transport, wampy 8 with each serializer, and
 * one session per client and transport in the same realm (a RawSocket
 * autobahn-js 22 subscriber and caller, a WebSocket wampy publisher, a
 * WebSocket autobahn-python callee). Each client process runs a script of
 * checks and reports JSON lines (`_autobahn22_node_transports.cjs`).
 *
 * What autobahn-js 22 cannot do, asserted as it is so that a fixed client
 * shows up here: its Node RawSocket transport (lib/transport/rawsocket.js)
 * supports JSON only. `Protocol.SERIALIZERS` is `{json: 1}`, the handshake
 * always announces serializer 1, `write()` always `JSON.stringify`s, and the
 * `serializers` option is never read; a transport whose `serializers` lack
 * json answers the handshake with error 1 (serializer unsupported) and the
 * client gives up ("Peer failed handshake"). So RawSocket with msgpack or
 * CBOR is covered by autobahn-python and autobahn-js 26
 * (tests/rawsocket/rawsocket_node_test.ts), not by autobahn-js 22.
 */
import { JsonSerializer } from "wampy/JsonSerializer.js";
import { MsgpackSerializer } from "wampy/MsgpackSerializer.js";
import { CborSerializer } from "wampy/CborSerializer.js";
import { Wampy } from "wampy";
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { hostNode } from "../../../lib/node/host.ts";
import type { Node } from "../../../lib/node/mod.ts";
import { within } from "../wire/_wire_helpers.ts";
import { LOOPBACK, OPEN_REALM, portOf } from "../../rawsocket/_helpers.ts";
import {
  autobahnPython,
  ensureNodeAutobahn22,
  type LineProcess,
  NODE_AUTOBAHN_DIR,
  reports,
  spawnLines,
} from "./_interop.ts";

const SCRIPT = new URL("./_autobahn22_node_transports.cjs", import.meta.url)
  .pathname;
const BIG = 2 ** 53 - 1;

/** A node: RawSocket (every serializer), RawSocket (msgpack only), WebSocket. */
async function startNode(): Promise<
  { node: Node; rawsocket: number; msgpackOnly: number; ws: string }
> {
  const node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [OPEN_REALM],
      transports: [
        { type: "rawsocket", endpoint: LOOPBACK },
        { type: "rawsocket", endpoint: LOOPBACK, serializers: ["msgpack"] },
        {
          type: "web",
          endpoint: LOOPBACK,
          paths: { ws: { type: "websocket" } },
        },
      ],
    }],
  });
  return {
    node,
    rawsocket: portOf(node.transports[0]!.url),
    msgpackOnly: portOf(node.transports[1]!.url),
    ws: node.transports[2]!.url.replace("http:", "ws:") + "/ws",
  };
}

async function node22(mode: string, target: string): Promise<LineProcess> {
  await ensureNodeAutobahn22();
  return spawnLines("node", [SCRIPT, mode, target, NODE_AUTOBAHN_DIR]);
}

/** The facts every register/call/subscribe/publish report must show. */
function assertExercised(r: Record<string, unknown>, protocol: string) {
  const what = String(r.check);
  const rawsocket = what.startsWith("rawsocket");
  assertEquals(r.protocol, protocol, what);
  assertEquals(r.router_transport, {
    type: rawsocket ? "rawsocket" : "websocket",
    serializer: protocol.split(".")[2],
    // RawSocket negotiates a serializer, not a WebSocket subprotocol.
    protocol: rawsocket ? null : protocol,
  }, what);
  assert(Number.isSafeInteger(r.session_id), `${what}: session id`);
  assert(Number.isSafeInteger(r.publication_id), `${what}: publication id`);
  assertEquals(r.event, [BIG, "hi"], what);
}

Deno.test("autobahn-js 22 on Node joins, calls, registers, publishes and subscribes with each serializer (json, msgpack, cbor) over WebSocket", async () => {
  const { node, ws } = await startNode();
  try {
    await using client = await node22("serializers", ws);
    const [json, msgpack, cbor] = await reports(client, 3);
    assertExercised(json!, "wamp.2.json");
    assertEquals(json!.echoed, [BIG, -BIG, 2 ** 32, 1.5, "x"]);
    for (
      const [r, protocol] of [[msgpack!, "wamp.2.msgpack"], [
        cbor!,
        "wamp.2.cbor",
      ]] as const
    ) {
      assertExercised(r, protocol);
      // Integers up to 2^53-1 stay numbers; bytes stay bytes.
      assertEquals(r.echoed, [BIG, -BIG, 2 ** 32, 1.5, "x", {
        bytes: [0, 1, 255],
      }], protocol);
      assertEquals(r.echoed_types, [
        "number",
        "number",
        "number",
        "number",
        "string",
        "buffer",
      ], protocol);
    }
    await client.finish();
  } finally {
    await node.close();
  }
});

Deno.test("autobahn-js 22 on Node over its RawSocket transport (tcp): JSON works; msgpack is not implemented by the client", async () => {
  const { node, rawsocket } = await startNode();
  try {
    await using client = await node22("rawsocket", String(rawsocket));
    const [json, asked] = await reports(client, 2);
    assertExercised(json!, "wamp.2.json");
    assertEquals(json!.echoed, [BIG, -BIG, 2 ** 32, 1.5, "x"]);
    // Asked for msgpack, the client still handshakes JSON (see above).
    assertEquals(asked!.protocol, "wamp.2.json");
    assertEquals(asked!.router_serializer, "json");
    await client.finish();
  } finally {
    await node.close();
  }
});

function wampy(url: string, serializer?: unknown): Wampy {
  return new Wampy(url, {
    realm: "realm1",
    autoReconnect: false,
    ws: WebSocket,
    ...(serializer === undefined ? {} : { serializer }),
    // deno-lint-ignore no-explicit-any
  } as any);
}

Deno.test("wampy 8 in Deno joins, calls, registers, publishes and subscribes with each serializer (Json, Msgpack, Cbor) over WebSocket", async () => {
  const { node, ws } = await startNode();
  try {
    const cases = [
      ["wamp.2.json", () => new JsonSerializer()],
      ["wamp.2.msgpack", () => new MsgpackSerializer()],
      ["wamp.2.cbor", () => new CborSerializer()],
    ] as const;
    for (const [protocol, make] of cases) {
      const a = wampy(ws, make());
      const b = wampy(ws, make());
      await within(Promise.all([a.connect(), b.connect()]), "wampy connect");
      try {
        // msgpackr (wampy's msgpack library) reads every 64-bit msgpack
        // integer as a BigInt by default (`int64AsType: "bigint"`), and a
        // WAMP ID above 2^32 can only be a uint64 in msgpack (Crossbar
        // writes the same), so wampy's msgpack session IDs are BigInts.
        const binaryInts = protocol === "wamp.2.msgpack";
        const id = a.getSessionId();
        assertEquals(typeof id, binaryInts ? "bigint" : "number", protocol);
        assert(Number.isSafeInteger(Number(id)), `${protocol}: id ${id}`);
        const meta = await b.call("wamp.session.get", [id]);
        assertEquals(
          (meta.argsList?.[0] as { transport: { protocol: string } }).transport
            .protocol,
          protocol,
        );
        const procedure = `com.interop.wampy.${protocol}.echo`;
        await a.register(procedure, ({ argsList }) => ({
          argsList: argsList ?? [],
        }));
        const values: unknown[] = [BIG, -BIG, 2 ** 32, 7, 1.5, "x"];
        if (protocol !== "wamp.2.json") values.push(new Uint8Array([0, 255]));
        const result = await b.call(procedure, values);
        // KNOWN DIFFERENCE FROM CROSSBAR (not fixed here): msgpackr writes
        // integers beyond 32 bits as float64; Crossbar (Python) hands a
        // float64 back as float64, so msgpackr reads a number again. Our
        // router decodes it to a JS number and re-encodes integral numbers
        // as integers (so that autobahn-python's ints come back as ints),
        // hence uint64, hence a BigInt in wampy. Keeping the wire type of
        // every number needs a codec change (lib/wamp/codecs).
        const expected = binaryInts
          ? [BigInt(BIG), BigInt(-BIG), 2n ** 32n, 7, 1.5, "x", [0, 255]]
          : values.map((v) => v instanceof Uint8Array ? [...v] : v);
        assertEquals(
          (result.argsList ?? []).map((v: unknown) =>
            v instanceof Uint8Array ? [...v] : v
          ),
          expected,
          protocol,
        );
        const topic = `com.interop.wampy.${protocol}.topic`;
        const event = Promise.withResolvers<unknown>();
        await a.subscribe(topic, ({ argsList }) => event.resolve(argsList));
        await b.publish(topic, { argsList: [7, "y"] }, {
          acknowledge: true,
        });
        assertEquals(await within(event.promise, "wampy event"), [7, "y"]);
      } finally {
        await within(
          Promise.all([a.disconnect(), b.disconnect()]),
          "wampy disconnect",
        );
      }
    }
  } finally {
    await node.close();
  }
});

Deno.test("cross-transport: autobahn-js 22 over RawSocket gets a WebSocket wampy session's events and calls a WebSocket autobahn-python callee", async () => {
  const { node, rawsocket, ws } = await startNode();
  try {
    await using python = autobahnPython("callee", ws);
    const [callee] = await reports(python, 1);
    assertEquals(callee!.ready, true);
    await using js = await node22("cross", String(rawsocket));
    const [ready] = await reports(js, 1);
    assertEquals(ready!.protocol, "wamp.2.json");
    const publisher = wampy(ws);
    await within(publisher.connect(), "wampy connect");
    try {
      // Acknowledged: the event is dispatched once publish resolves.
      await publisher.publish("com.interop.cross.news", {
        argsList: [BIG, "from wampy"],
        argsDict: { k: "v" },
      }, { acknowledge: true, disclose_me: true });
      const [event, call] = await reports(js, 2);
      assertEquals(event, {
        check: "event",
        args: [BIG, "from wampy"],
        kwargs: { k: "v" },
        publisher: publisher.getSessionId(),
      });
      assertEquals(
        call!.greeting,
        `hello rawsocket from python (${callee!.session})`,
      );
    } finally {
      await within(publisher.disconnect(), "wampy disconnect");
    }
    await js.finish();
    await python.finish();
  } finally {
    await node.close();
  }
});

Deno.test("a msgpack-only RawSocket transport refuses autobahn-js 22's JSON handshake with error 1 (serializer unsupported)", async () => {
  const { node, msgpackOnly } = await startNode();
  try {
    await using refused = await node22("refused", String(msgpackOnly));
    const [outcome] = await reports(refused, 1);
    assertEquals(outcome!.joined, false);
    // The client's own account of the router's handshake reply.
    assertEquals(outcome!.transport_errors, [
      "Peer failed handshake: serializer unsupported",
    ]);
    await refused.finish();
  } finally {
    await node.close();
  }
});
