import {
  autobahnConnect,
  nextCall,
  RawWampClient,
  startWampServer,
  within,
} from "./_wire_helpers.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";

type EventArgs = [unknown[], Record<string, unknown>, Record<string, unknown>];

for (const serializer of ["json", "msgpack", "cbor"] as const) {
  Deno.test(`createWebSocketService() autobahn-js ${serializer} subscriber receives an event`, async () => {
    await using server = startWampServer();
    await using subscriber = await autobahnConnect(server.url, { serializer });
    await using publisher = await autobahnConnect(server.url, { serializer });
    const events = nextCall<EventArgs>();
    await subscriber.session.subscribe("com.example.topic", events.fn);
    await publisher.session.publish(
      "com.example.topic",
      [1, "two", { x: [1.5, null, true] }],
      { three: "drei ü" },
      {
        acknowledge: true,
      },
    );
    const [args, kwargs] = await events.next();
    assertEquals(args, [1, "two", { x: [1.5, null, true] }]);
    assertEquals(kwargs, { three: "drei ü" });
  });

  Deno.test(`createWebSocketService() autobahn-js ${serializer} bytes reach a json raw subscriber as \\0base64 and back`, async () => {
    await using server = startWampServer();
    const { client: raw } = await RawWampClient.joined(
      server.url,
      "wamp.2.json",
    );
    await using _raw = raw;
    raw.send([32, 1, {}, "com.example.bin"]);
    const subscribed = await raw.next();
    assertEquals(subscribed[0], 33);
    await using publisher = await autobahnConnect(server.url, {
      serializer: serializer === "json" ? "msgpack" : serializer,
    });
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    await publisher.session.publish("com.example.bin", [bytes], {}, {
      acknowledge: true,
    });
    const event = await raw.next();
    assertEquals(event[0], 36);
    const received = (event[4] as unknown[])[0];
    assert(
      received instanceof Uint8Array,
      `expected bytes, got ${typeof received}`,
    );
    assertEquals(Array.from(received), Array.from(bytes));

    // and back: a json publisher's bytes arrive as bytes at a binary subscriber
    if (serializer === "json") return;
    await using subscriber = await autobahnConnect(server.url, { serializer });
    const events = nextCall<EventArgs>();
    await subscriber.session.subscribe("com.example.bin2", events.fn);
    raw.send([16, 2, { acknowledge: true }, "com.example.bin2", [bytes]]);
    assertEquals((await raw.next())[0], 17);
    const [args] = await events.next();
    assert(
      args[0] instanceof Uint8Array,
      "expected Uint8Array at the binary subscriber",
    );
    assertEquals(Array.from(args[0] as Uint8Array), Array.from(bytes));
  });
}

Deno.test("createWebSocketService() autobahn-js publisher exclusion and exclude_me false", async () => {
  await using server = startWampServer();
  await using client = await autobahnConnect(server.url);
  const events = nextCall<EventArgs>();
  await client.session.subscribe("com.example.self", events.fn);
  await client.session.publish("com.example.self", ["skipped"], {}, {
    acknowledge: true,
  });
  await client.session.publish("com.example.self", ["seen"], {}, {
    acknowledge: true,
    exclude_me: false,
  });
  const [args] = await events.next();
  assertEquals(args, ["seen"]);
});

Deno.test("createWebSocketService() autobahn-js eligible and exclude pick the receivers", async () => {
  await using server = startWampServer();
  await using a = await autobahnConnect(server.url);
  await using b = await autobahnConnect(server.url);
  await using publisher = await autobahnConnect(server.url);
  const seenA: unknown[] = [];
  const seenB: unknown[] = [];
  const done = nextCall<[string]>();
  await a.session.subscribe("com.example.list", (args: unknown[]) => {
    seenA.push(args[0]);
    if (args[0] === "end") done.fn("a");
  });
  await b.session.subscribe("com.example.list", (args: unknown[]) => {
    seenB.push(args[0]);
    if (args[0] === "end") done.fn("b");
  });
  const pub = (value: string, options: Record<string, unknown>) =>
    publisher.session.publish("com.example.list", [value], {}, {
      acknowledge: true,
      ...options,
    });
  await pub("only-a", { eligible: [a.session.id] });
  await pub("not-a", { exclude: [a.session.id] });
  await pub("end", {});
  await done.next();
  await done.next();
  assertEquals(seenA, ["only-a", "end"]);
  assertEquals(seenB, ["not-a", "end"]);
});

Deno.test("createWebSocketService() autobahn-js prefix and wildcard subscriptions carry the topic", async () => {
  await using server = startWampServer();
  await using subscriber = await autobahnConnect(server.url, {
    serializer: "msgpack",
  });
  await using publisher = await autobahnConnect(server.url, {
    serializer: "cbor",
  });
  const prefix = nextCall<EventArgs>();
  const wildcard = nextCall<EventArgs>();
  await subscriber.session.subscribe("com.example.sensors", prefix.fn, {
    match: "prefix",
  });
  await subscriber.session.subscribe("com.example..temperature", wildcard.fn, {
    match: "wildcard",
  });
  await publisher.session.publish("com.example.sensors.kitchen", [21], {}, {
    acknowledge: true,
  });
  await publisher.session.publish("com.example.garage.temperature", [12], {}, {
    acknowledge: true,
  });
  const [args1, , details1] = await prefix.next();
  assertEquals(args1, [21]);
  assertEquals(
    (details1 as { topic: string }).topic,
    "com.example.sensors.kitchen",
  );
  const [args2, , details2] = await wildcard.next();
  assertEquals(args2, [12]);
  assertEquals(
    (details2 as { topic: string }).topic,
    "com.example.garage.temperature",
  );
});

Deno.test("createWebSocketService() autobahn-js retained event reaches a late subscriber", async () => {
  await using server = startWampServer();
  await using publisher = await autobahnConnect(server.url);
  await publisher.session.publish("com.example.state", ["first"], {}, {
    acknowledge: true,
    retain: true,
  });
  await publisher.session.publish("com.example.state", ["latest"], {}, {
    acknowledge: true,
    retain: true,
  });
  await using late = await autobahnConnect(server.url, { serializer: "cbor" });
  const events = nextCall<EventArgs>();
  await late.session.subscribe("com.example.state", events.fn, {
    get_retained: true,
  });
  const [args, , details] = await events.next();
  assertEquals(args, ["latest"]);
  assertEquals((details as { retained?: boolean }).retained, true);
});

Deno.test("createWebSocketService() publisher disclosure reaches autobahn-js subscribers", async () => {
  await using server = startWampServer();
  await using subscriber = await autobahnConnect(server.url);
  await using publisher = await autobahnConnect(server.url);
  const events = nextCall<EventArgs>();
  await subscriber.session.subscribe("com.example.who", events.fn);
  await publisher.session.publish("com.example.who", [], {}, {
    acknowledge: true,
    disclose_me: true,
  });
  const [, , details] = await events.next();
  assertEquals(
    (details as { publisher: number }).publisher,
    publisher.session.id,
  );
});

Deno.test("createWebSocketService() one session's events survive another session's disconnect", async () => {
  await using server = startWampServer();
  await using steady = await autobahnConnect(server.url);
  const events = nextCall<EventArgs>();
  await steady.session.subscribe("com.example.steady", events.fn);
  const leaving = await autobahnConnect(server.url, { serializer: "msgpack" });
  await leaving.session.subscribe("com.example.steady", () => {});
  await leaving.close();
  await using publisher = await autobahnConnect(server.url);
  await within(
    publisher.session.publish("com.example.steady", ["still here"], {}, {
      acknowledge: true,
    }),
    "publish",
  );
  assertEquals((await events.next())[0], ["still here"]);
});
