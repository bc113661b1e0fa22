/**
 * RawSocket transports of a running node, over the wire: autobahn-python
 * (Debian) and autobahn-js 26 (in Deno) with their defaults, sessions
 * shared with WebSocket clients, and the spec's answers to bad input.
 */
import { assert, assertEquals, assertMatch } from "../_helpers/assert.ts";
import { hostNode } from "../../lib/node/host.ts";
import type { Node } from "../../lib/node/mod.ts";
import {
  autobahnConnect,
  LOOPBACK,
  OPEN_REALM,
  portOf,
  pythonCallee,
  pythonSelftest,
  rawConnect,
  recordingLogger,
} from "./_helpers.ts";

async function startRawSocketNode(
  socketPath: string,
  extra: Record<string, unknown> = {},
) {
  const log = recordingLogger();
  const node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [OPEN_REALM],
      transports: [
        { type: "rawsocket", endpoint: LOOPBACK, ...extra },
        { type: "rawsocket", endpoint: { type: "unix", path: socketPath } },
        {
          type: "web",
          endpoint: LOOPBACK,
          paths: { ws: { type: "websocket" } },
        },
      ],
    }],
  }, { logger: log.logger });
  return { node, log, tcp: node.transports[0]!.url, ws: wsUrl(node) };
}

function wsUrl(node: Node): string {
  return node.transports[2]!.url.replace("http:", "ws:") + "/ws";
}

Deno.test("rawsocket: autobahn-python joins, calls, registers, publishes and subscribes with each serializer over tcp and unix", async () => {
  const dir = await Deno.makeTempDir();
  const socket = `${dir}/rs.sock`;
  const { node } = await startRawSocketNode(socket);
  try {
    assertMatch(node.transports[0]!.url, /^rs:\/\/127\.0\.0\.1:\d+$/);
    assertEquals(node.transports[1]!.url, `unix:${socket}`);
    const runs = await Promise.all([
      ...["json", "msgpack", "cbor", "default"].map((s) =>
        pythonSelftest(node.transports[0]!.url, s)
      ),
      pythonSelftest("rs://localhost", "cbor", socket),
      pythonSelftest("rs://localhost", "json", socket),
    ]);
    for (const run of runs) {
      assertEquals(run.sum, 2 ** 53 - 1, JSON.stringify(run));
      assertEquals(run.event, { args: ["hello"], kwargs: { n: 7 } });
      assertEquals(run.session_is_int, true);
    }
    assertEquals(runs.map((r) => r.serializer), [
      "json",
      "msgpack",
      "cbor",
      "default",
      "cbor",
      "json",
    ]);
  } finally {
    await node.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rawsocket: autobahn-js 26 in Deno (default rawsocket options) shares a realm with WebSocket sessions", async () => {
  const dir = await Deno.makeTempDir();
  const { node, tcp, ws } = await startRawSocketNode(`${dir}/rs.sock`);
  try {
    await using raw = await autobahnConnect({
      transports: [{ type: "rawsocket", host: "127.0.0.1", port: portOf(tcp) }],
    });
    await using web = await autobahnConnect({ url: ws });
    // RawSocket callee, WebSocket caller, and the other way round.
    await raw.session.register(
      "com.test.raw.mul",
      (a: number[]) => a[0]! * a[1]!,
    );
    await web.session.register("com.test.ws.neg", (a: number[]) => -a[0]!);
    assertEquals(await web.session.call("com.test.raw.mul", [6, 7]), 42);
    assertEquals(await raw.session.call("com.test.ws.neg", [5]), -5);
    // Events both ways.
    const toRaw = Promise.withResolvers<unknown[]>();
    const toWeb = Promise.withResolvers<unknown[]>();
    await raw.session.subscribe(
      "com.test.to_raw",
      (a: unknown[]) => toRaw.resolve(a),
    );
    await web.session.subscribe(
      "com.test.to_ws",
      (a: unknown[]) => toWeb.resolve(a),
    );
    await web.session.publish("com.test.to_raw", ["from ws"], {}, {
      acknowledge: true,
    });
    await raw.session.publish("com.test.to_ws", ["from rs"], {}, {
      acknowledge: true,
    });
    assertEquals(await toRaw.promise, ["from ws"]);
    assertEquals(await toWeb.promise, ["from rs"]);
    const details = await web.session.call("wamp.session.get", [
      raw.session.id,
    ]);
    assertEquals(details.session, raw.session.id);
    assertEquals(details.authrole, "anonymous");
  } finally {
    await node.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rawsocket: a Python callee over RawSocket serves a JS caller over WebSocket, events flow both ways", async () => {
  const dir = await Deno.makeTempDir();
  const { node, tcp, ws } = await startRawSocketNode(`${dir}/rs.sock`);
  try {
    await using py = await pythonCallee(tcp, "msgpack");
    await using js = await autobahnConnect({ url: ws });
    assertEquals(await js.session.call("com.test.py.echo", ["hi"]), [
      "py",
      "hi",
    ]);
    await js.session.publish("com.test.to_py", ["to python"], {}, {
      acknowledge: true,
    });
    assertEquals(await py.waitForLine(/^EVENT /), 'EVENT ["to python"]');
    const fromPy = Promise.withResolvers<unknown[]>();
    await js.session.subscribe(
      "com.test.from_py",
      (a: unknown[]) => fromPy.resolve(a),
    );
    assertEquals(
      await js.session.call("com.test.py.publish", ["com.test.from_py", 99]),
      "published",
    );
    assertEquals(await fromPy.promise, [99]);
  } finally {
    await node.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rawsocket: bad handshakes get the spec's error reply (or none for a wrong magic octet) and the close", async () => {
  const dir = await Deno.makeTempDir();
  const { node, tcp, log } = await startRawSocketNode(`${dir}/rs.sock`, {
    serializers: ["json", "cbor"],
    options: { max_message_size: 1000 },
  });
  const port = portOf(tcp);
  try {
    const cases: [number[], number[] | null, RegExp][] = [
      // msgpack is not in "serializers": serializer unsupported.
      [[0x7f, 0xf2, 0, 0], [0x7f, 0x10, 0, 0], /serializer 2 is not offered/],
      // 0 is illegal, 7 unknown.
      [[0x7f, 0xf0, 0, 0], [0x7f, 0x10, 0, 0], /serializer 0 is illegal/],
      [[0x7f, 0xf7, 0, 0], [0x7f, 0x10, 0, 0], /serializer 7 is not offered/],
      // Reserved octets in use.
      [[0x7f, 0xf1, 0, 8], [0x7f, 0x30, 0, 0], /reserved handshake octets/],
      // Not RawSocket at all (an HTTP request): fail without a reply.
      [[0x47, 0x45, 0x54, 0x20], null, /first octet 0x47 is not/],
    ];
    for (const [request, reply, logged] of cases) {
      using client = await rawConnect(port);
      await client.write(request);
      if (reply === null) {
        assertEquals(await client.read(1), null);
      } else {
        assertEquals([...(await client.read(4))!], reply);
        await client.closed();
      }
      await log.waitFor(logged);
    }
    // A good one: JSON accepted, limit 1000 announced as 2^10.
    using client = await rawConnect(port);
    await client.write([0x7f, 0xf1, 0, 0]);
    assertEquals([...(await client.read(4))!], [0x7f, 0x11, 0, 0]);
  } finally {
    await node.close();
    await Deno.remove(dir, { recursive: true });
  }
});

function frame(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out.set([
    type,
    payload.length >> 16,
    (payload.length >> 8) & 255,
    payload.length & 255,
  ]);
  out.set(payload, 4);
  return out;
}

Deno.test("rawsocket: PING gets a PONG echoing it; oversize frames and reserved bits close with a logged reason", async () => {
  const dir = await Deno.makeTempDir();
  const { node, tcp, log } = await startRawSocketNode(`${dir}/rs.sock`, {
    options: { max_message_size: 1024 },
  });
  const port = portOf(tcp);
  const utf8 = new TextEncoder();
  try {
    {
      using client = await rawConnect(port);
      await client.write([0x7f, 0xf1, 0, 0]);
      assertEquals([...(await client.read(4))!], [0x7f, 0x11, 0, 0]);
      await client.write(frame(1, new Uint8Array([1, 2, 3, 250])));
      assertEquals([...(await client.read(8))!], [2, 0, 0, 4, 1, 2, 3, 250]);
      // The session still works after the PING.
      await client.write(
        frame(0, utf8.encode('[1,"realm1",{"roles":{"caller":{}}}]')),
      );
      const header = (await client.read(4))!;
      assertEquals(header[0], 0);
      const welcome = JSON.parse(
        new TextDecoder().decode(
          (await client.read(
            (header[1]! << 16) | (header[2]! << 8) | header[3]!,
          ))!,
        ),
      );
      assertEquals(welcome[0], 2);
      // Oversize: 1025 octets announced; refused before the payload.
      await client.write([0, 0, 0x04, 0x01]);
      await client.closed();
      await log.waitFor(/frame of 1025 octets exceeds the limit of 1024/);
    }
    {
      using client = await rawConnect(port);
      await client.write([0x7f, 0xf1, 0, 0]);
      await client.read(4);
      await client.write(frame(0x40, new Uint8Array(1)));
      await client.closed();
      await log.waitFor(/reserved bits set in a frame header \(0x40\)/);
    }
    {
      // Undecodable JSON: ABORT, then close.
      using client = await rawConnect(port);
      await client.write([0x7f, 0xf1, 0, 0]);
      await client.read(4);
      await client.write(frame(0, utf8.encode("[1, not json")));
      const header = (await client.read(4))!;
      const length = (header[1]! << 16) | (header[2]! << 8) | header[3]!;
      const abort = JSON.parse(
        new TextDecoder().decode((await client.read(length))!),
      );
      assertEquals([abort[0], abort[2]], [3, "wamp.error.protocol_violation"]);
      await client.closed();
    }
    assert(node.routers[0]!.stats().realms[0]!.sessions === 0);
  } finally {
    await node.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rawsocket: the transport's auth applies (ticket with autobahn-js 26)", async () => {
  await using node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [OPEN_REALM],
      transports: [{
        type: "rawsocket",
        endpoint: LOOPBACK,
        auth: {
          ticket: {
            type: "static",
            principals: { alice: { ticket: "s3cret", role: "anonymous" } },
          },
        },
      }],
    }],
  });
  const transports = [{
    type: "rawsocket",
    host: "127.0.0.1",
    port: portOf(node.transports[0]!.url),
  }];
  await using client = await autobahnConnect({
    transports,
    authmethods: ["ticket"],
    authid: "alice",
    onchallenge: () => "s3cret",
  });
  assertEquals(client.details.authid, "alice");
  assertEquals(client.details.authmethod, "ticket");
  let refused = "";
  try {
    await using _wrong = await autobahnConnect({
      transports,
      authmethods: ["ticket"],
      authid: "alice",
      onchallenge: () => "wrong",
    });
  } catch (error) {
    refused = (error as Error).message;
  }
  assertMatch(refused, /authentication_failed|not_authorized/);
});
