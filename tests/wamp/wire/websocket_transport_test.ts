import {
  type Codec,
  CODECS,
  JSON_BATCHED_CODEC,
  JSON_CODEC,
  MSGPACK_BATCHED_CODEC,
  MSGPACK_CODEC,
} from "../../../lib/wamp/codecs/mod.ts";
import {
  CLOSE_MESSAGE_TOO_BIG,
  WebSocketTransport,
} from "../../../lib/wamp/websocket_transport.ts";
import type {
  TransportHandler,
  WampMessage,
} from "../../../lib/wamp/transport.ts";
import { within } from "./_wire_helpers.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";

// The binary codecs load their libraries on first use; these tests use them
// directly.
await Promise.all(CODECS.map((codec) => codec.load()));

/** What the router side saw on one transport. */
interface Recorded {
  messages: WampMessage[];
  errors: string[];
  closed: boolean;
}

/** A server-side transport and the client socket at its other end. */
interface Pair {
  transport: WebSocketTransport;
  client: WebSocket;
  recorded: Recorded;
  received: (string | ArrayBuffer)[];
  clientClosed: Promise<CloseEvent>;
}

/**
 * Serves upgrades on loopback; each accepted socket becomes a
 * WebSocketTransport with `codec`, recording what it hands the "router".
 */
function transportServer(
  codec: Codec,
  options: {
    maxMessageSize?: number;
    maxBufferedBytes?: number;
    handler?: (r: Recorded) => TransportHandler;
  } = {},
) {
  const accepted: ((t: WebSocketTransport, r: Recorded) => void)[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => {
      const peer = `tcp4:127.0.0.1:${info.remoteAddr.port}`; // before the upgrade
      const { socket, response } = Deno.upgradeWebSocket(request, {
        protocol: codec.subprotocol,
      });
      const transport = new WebSocketTransport(socket, {
        codec,
        info: {
          type: "websocket",
          peer,
          serializer: codec.name,
          secure: false,
        },
        maxMessageSize: options.maxMessageSize ?? 0,
      });
      const recorded: Recorded = { messages: [], errors: [], closed: false };
      transport.start(
        options.handler?.(recorded) ?? {
          onMessage: (m) => recorded.messages.push(m),
          onProtocolError: (reason) => recorded.errors.push(reason),
          onClose: () => recorded.closed = true,
        },
      );
      accepted.shift()?.(transport, recorded);
      return response;
    },
  );
  return {
    async connect(): Promise<Pair> {
      const got = new Promise<[WebSocketTransport, Recorded]>((resolve) =>
        accepted.push((t, r) => resolve([t, r]))
      );
      const client = new WebSocket(
        `ws://127.0.0.1:${server.addr.port}`,
        codec.subprotocol,
      );
      client.binaryType = "arraybuffer";
      const received: (string | ArrayBuffer)[] = [];
      client.onmessage = (e) => received.push(e.data);
      const clientClosed = new Promise<CloseEvent>((resolve) =>
        client.onclose = resolve
      );
      await within(
        new Promise((resolve) => client.onopen = resolve),
        "client open",
      );
      const [transport, recorded] = await within(got, "server accept");
      return { transport, client, recorded, received, clientClosed };
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  await within(
    (async () => {
      while (!check()) await new Promise((r) => setTimeout(r, 5));
    })(),
    what,
  );
}

async function closeAll(pairs: Pair[]): Promise<void> {
  for (const p of pairs) p.client.close();
  await Promise.all(pairs.map((p) => within(p.clientClosed, "client close")));
  await Promise.all(
    pairs.map((p) => within(p.transport.finished, "transport finished")),
  );
}

Deno.test("WebSocketTransport.send() encodes one EVENT array once for many transports", async () => {
  let encodes = 0;
  const counting: Codec = {
    ...JSON_CODEC,
    encode: (m) => {
      encodes++;
      return JSON_CODEC.encode(m);
    },
  };
  await using server = transportServer(counting);
  const pairs = [
    await server.connect(),
    await server.connect(),
    await server.connect(),
  ];
  const event = [36, 1, 2, {}, ["shared"]];
  for (const p of pairs) p.transport.send(event);
  assertEquals(encodes, 1);
  const result = [50, 1, {}, ["own"]];
  for (const p of pairs) p.transport.send(result);
  assertEquals(encodes, 4, "non-EVENT messages are encoded per send");
  await until(
    () => pairs.every((p) => p.received.length === 2),
    "frames delivered",
  );
  for (const p of pairs) assertEquals(p.received[0], '[36,1,2,{},["shared"]]');
  await closeAll(pairs);
});

Deno.test("WebSocketTransport decodes frames for the router and reports close once", async () => {
  await using server = transportServer(MSGPACK_CODEC);
  const pair = await server.connect();
  pair.client.send(MSGPACK_CODEC.encode([1, "realm1", {}]));
  await until(() => pair.recorded.messages.length === 1, "message decoded");
  assertEquals(pair.recorded.messages[0], [1, "realm1", {}]);
  assertEquals(pair.transport.info.serializer, "msgpack");
  await closeAll([pair]);
  assertEquals(pair.recorded.closed, true);
  pair.transport.send([2, 1, {}]); // after close: dropped, never throws
  pair.transport.close();
});

Deno.test("WebSocketTransport reports a text frame on msgpack as a protocol error", async () => {
  await using server = transportServer(MSGPACK_CODEC);
  const pair = await server.connect();
  pair.client.send("[1]");
  const close = await within(pair.clientClosed, "close after violation");
  assertEquals(pair.recorded.errors.length, 1);
  assert(
    pair.recorded.errors[0]!.includes("text frame"),
    pair.recorded.errors[0],
  );
  assertEquals(close.code, 1002);
  await within(pair.transport.finished, "finished");
});

Deno.test("WebSocketTransport enforces the size limit in UTF-8 bytes and closes with 1009", async () => {
  await using server = transportServer(JSON_CODEC, { maxMessageSize: 100 });
  const ok = await server.connect();
  ok.client.send(JSON.stringify([16, 1, {}, "a.b", ["é".repeat(40)]])); // 96 bytes
  await until(() => ok.recorded.messages.length === 1, "small message");
  const big = await server.connect();
  big.client.send(JSON.stringify([16, 1, {}, "a.b", ["é".repeat(45)]])); // 106 bytes
  const close = await within(big.clientClosed, "close");
  assertEquals(close.code, CLOSE_MESSAGE_TOO_BIG);
  assert(
    big.recorded.errors[0]!.includes("max_message_size"),
    big.recorded.errors[0],
  );
  await within(big.transport.finished, "finished");
  await closeAll([ok]);
});

Deno.test("WebSocketTransport closes only its own connection when the router throws", async () => {
  await using server = transportServer(JSON_CODEC, {
    handler: (recorded) => ({
      onMessage: () => {
        throw new Error("router bug");
      },
      onProtocolError: (reason) => recorded.errors.push(reason),
      onClose: () => recorded.closed = true,
    }),
  });
  const broken = await server.connect();
  const healthy = await server.connect();
  broken.client.send("[1]");
  assertEquals((await within(broken.clientClosed, "close")).code, 1011);
  healthy.transport.send([2, 1, {}]);
  await until(() => healthy.received.length === 1, "healthy still served");
  await within(broken.transport.finished, "finished");
  await closeAll([healthy]);
});

Deno.test("WebSocketTransport closes a peer that stops reading (slow consumer)", async () => {
  const { promise: accepted, resolve } = Promise.withResolvers<
    { transport: WebSocketTransport; recorded: Recorded }
  >();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request, {
        idleTimeout: 0,
      });
      const transport = new WebSocketTransport(socket, {
        codec: JSON_CODEC,
        info: {
          type: "websocket",
          peer: "tcp4:127.0.0.1:1",
          serializer: "json",
          secure: false,
        },
        maxBufferedBytes: 1024 * 1024,
      });
      const recorded: Recorded = { messages: [], errors: [], closed: false };
      transport.start({
        onMessage: () => {},
        onProtocolError: () => {},
        onClose: () => recorded.closed = true,
      });
      socket.addEventListener("open", () => resolve({ transport, recorded }));
      return response;
    },
  );
  // a raw TCP peer that upgrades and then never reads
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: server.addr.port,
  });
  await conn.write(new TextEncoder().encode(
    "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  ));
  try {
    const { transport, recorded } = await within(accepted, "upgrade");
    const chunk = [36, 1, 2, {}, ["x".repeat(64 * 1024)]];
    for (let i = 0; i < 64; i++) transport.send([...chunk]); // 4 MiB, never read
    await within(transport.finished, "slow consumer closed");
    assertEquals(recorded.closed, true);
  } finally {
    conn.close();
    await server.shutdown();
  }
});

Deno.test("WebSocketTransport still sends one message larger than the backlog limit", async () => {
  await using server = transportServer(JSON_CODEC, {
    maxBufferedBytes: 64 * 1024,
  });
  const pair = await server.connect();
  pair.transport.send([36, 1, 2, {}, ["y".repeat(256 * 1024)]]);
  await until(() => pair.received.length === 1, "big frame delivered");
  assertEquals(pair.recorded.closed, false);
  await closeAll([pair]);
});

Deno.test("WebSocketTransport.close() before the upgrade completes closes once open", async () => {
  const { promise: closedByServer, resolve } = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => {
      const { socket, response } = Deno.upgradeWebSocket(request, {
        protocol: "wamp.2.json",
      });
      const transport = new WebSocketTransport(socket, {
        codec: JSON_CODEC,
        info: {
          type: "websocket",
          peer: "tcp4:127.0.0.1:1",
          serializer: "json",
          secure: false,
        },
      });
      transport.start({
        onMessage() {},
        onProtocolError() {},
        onClose: () => resolve(),
      });
      transport.close(1001, "going away"); // still CONNECTING here
      transport.send([2, 1, {}]); // dropped, no throw
      return response;
    },
  );
  try {
    const ws = new WebSocket(
      `ws://127.0.0.1:${server.addr.port}`,
      "wamp.2.json",
    );
    const event = await within(
      new Promise<CloseEvent>((r) => ws.onclose = r),
      "client sees close",
    );
    assertEquals(event.code, 1001);
    await within(closedByServer, "server side finished");
  } finally {
    await server.shutdown();
  }
});

Deno.test("WebSocketTransport.send() puts one tick's messages in one batched frame", async () => {
  await using server = transportServer(JSON_BATCHED_CODEC);
  const pair = await server.connect();
  pair.transport.send([36, 1, 2, {}, ["a"]]);
  pair.transport.send([36, 1, 3, {}, ["b"]]);
  pair.transport.send([50, 7, {}]);
  await until(() => pair.received.length === 1, "batched frame");
  assertEquals(
    pair.received[0],
    '[36,1,2,{},["a"]]\x1e[36,1,3,{},["b"]]\x1e[50,7,{}]\x1e',
  );
  // a message and a close in the same tick: the message still goes first
  pair.transport.send([3, { message: "bye" }, "wamp.close.system_shutdown"]);
  pair.transport.close(1001);
  const event = await within(pair.clientClosed, "close");
  assertEquals(event.code, 1001);
  assertEquals(
    JSON_BATCHED_CODEC.decodeBatch(pair.received[1] as string)[0]![0],
    3,
  );
  await within(pair.transport.finished, "finished");
});

Deno.test("WebSocketTransport batches msgpack frames a batched decoder splits back", async () => {
  await using server = transportServer(MSGPACK_BATCHED_CODEC);
  const pair = await server.connect();
  pair.client.send(
    new Uint8Array([
      ...(MSGPACK_BATCHED_CODEC.encode([1, "realm1", {}]) as Uint8Array),
      ...(MSGPACK_BATCHED_CODEC.encode([
        6,
        {},
        "wamp.close.normal",
      ]) as Uint8Array),
    ]),
  );
  await until(
    () => pair.recorded.messages.length === 2,
    "two messages from one frame",
  );
  pair.transport.send([2, 1, {}]);
  pair.transport.send([6, {}, "wamp.close.goodbye_and_out"]);
  await until(() => pair.received.length === 1, "one frame");
  const messages = MSGPACK_BATCHED_CODEC.decodeBatch(
    new Uint8Array(pair.received[0] as ArrayBuffer),
  );
  assertEquals(messages, [[2, 1, {}], [6, {}, "wamp.close.goodbye_and_out"]]);
  await closeAll([pair]);
});
