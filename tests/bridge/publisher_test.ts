import { createPublisherService } from "../../lib/bridge/mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import {
  type AbSession,
  post,
  publisherConfig,
  startBench,
  subscribeOnce,
} from "./_helpers.ts";

function publisherBench(role = "anonymous") {
  return startBench({
    services: (env) => ({
      pub: createPublisherService(
        publisherConfig({ type: "publisher", realm: "realm1", role }),
        env,
      ),
    }),
  });
}

Deno.test("createPublisherService() delivers a POST to an autobahn-js subscriber with args and kwargs intact", async () => {
  await using bench = publisherBench();
  const session = await bench.connect();
  const { event } = await subscribeOnce(session, "com.example.topic");
  const kwargs = { n: 1.5, nested: { list: [true, null, "ü"] } };
  const response = await post(`${bench.url}/pub`, {
    topic: "com.example.topic",
    args: ["hello", 42],
    kwargs,
  }, { headers: { origin: "https://app.example" } });
  assertEquals(response.status, 200);
  const body = response.json as { id: unknown };
  assert(Number.isSafeInteger(body.id) && (body.id as number) > 0);
  assertEquals(Object.keys(body), ["id"]);
  assertEquals(await event, { args: ["hello", 42], kwargs });
  assertEquals(
    response.headers.get("access-control-allow-origin"),
    "https://app.example",
  );
  assertEquals(
    response.headers.get("access-control-allow-credentials"),
    "true",
  );
  assertEquals(
    response.headers.get("cache-control"),
    "no-store,no-cache,must-revalidate,max-age=0",
  );
  assertEquals(
    response.headers.get("content-type"),
    "application/json; charset=UTF-8",
  );
});

Deno.test("createPublisherService() accepts PUT and a body without args or kwargs", async () => {
  await using bench = publisherBench();
  const session = await bench.connect();
  const { event } = await subscribeOnce(session, "com.example.bare");
  const response = await post(`${bench.url}/pub`, {
    topic: "com.example.bare",
  }, { method: "PUT" });
  assertEquals(response.status, 200);
  assertEquals(await event, { args: [], kwargs: {} });
});

Deno.test("createPublisherService() answers 400 for a missing topic, bad payload parts and unknown options", async () => {
  await using bench = publisherBench();
  const cases: [unknown, string][] = [
    [{ args: [1] }, 'missing the key "topic"'],
    [{ topic: 5 }, '"topic"'],
    [{ topic: "com.x", args: { a: 1 } }, '"args"'],
    [{ topic: "com.x", kwargs: [1] }, '"kwargs"'],
    [{ topic: "com.x", options: { acknowledge: false } }, "acknowledge"],
    [{ topic: "com.x", options: { forward_for: [] } }, "forward_for"],
    [{ topic: "com.x", options: { exclude: ["a"] } }, "exclude"],
    [{ topic: "com.x", options: { retain: "yes" } }, "retain"],
  ];
  for (const [body, text] of cases) {
    const response = await post(`${bench.url}/pub`, body);
    assertEquals(response.status, 400, JSON.stringify(body));
    const json = response.json as Record<string, unknown>;
    assertEquals(json.args, []);
    assertEquals(json.kwargs, {});
    assert(String(json.error).includes(text), String(json.error));
  }
});

Deno.test("createPublisherService() passes exclude and eligible options to the router", async () => {
  await using bench = publisherBench();
  const a = await bench.connect() as AbSession & { id: number };
  const b = await bench.connect() as AbSession & { id: number };
  const topic = "com.example.filtered";
  const seenByA: unknown[] = [];
  const { promise: aGotTwo, resolve } = Promise.withResolvers<void>();
  await a.subscribe(topic, (args) => {
    seenByA.push(args?.[0]);
    if (seenByA.length === 2) resolve();
  });
  const { event: bFirst } = await subscribeOnce(b, topic);
  for (
    const [n, options] of [
      [1, { exclude: a.id }],
      [2, { eligible: [b.id] }],
      [3, { exclude_authrole: ["nobody"] }],
      [4, { eligible_authid: "nobody" }],
      [5, {}],
    ] as const
  ) {
    const response = await post(`${bench.url}/pub`, {
      topic,
      args: [n],
      options,
    });
    assertEquals(response.status, 200, JSON.stringify(response.json));
  }
  assertEquals((await bFirst).args, [1]);
  await aGotTwo;
  assertEquals(seenByA, [3, 5]);
});

Deno.test("createPublisherService() retains an event for later subscribers when asked", async () => {
  await using bench = publisherBench();
  const response = await post(`${bench.url}/pub`, {
    topic: "com.example.retained",
    args: ["kept"],
    options: { retain: true },
  });
  assertEquals(response.status, 200);
  const session = await bench.connect();
  const { promise, resolve } = Promise.withResolvers<unknown[]>();
  await (session as unknown as {
    subscribe(t: string, h: (a: unknown[]) => void, o: unknown): Promise<void>;
  }).subscribe(
    "com.example.retained",
    (args) => resolve(args),
    { get_retained: true },
  );
  assertEquals(await promise, ["kept"]);
});

Deno.test("createPublisherService() reports a role without publish permission in Crossbar's error shape", async () => {
  await using bench = publisherBench("reader");
  const response = await post(`${bench.url}/pub`, { topic: "com.x" });
  assertEquals(response.status, 200);
  const json = response.json as Record<string, unknown>;
  assertEquals(json.error, "wamp.error.not_authorized");
  assert(Array.isArray(json.args));
});

Deno.test("createPublisherService() answers 500 with Crossbar's body when the session cannot join", async () => {
  await using bench = startBench({
    services: (env) => ({
      pub: createPublisherService(
        publisherConfig({
          type: "publisher",
          realm: "no.such.realm",
          role: "anonymous",
        }),
        env,
      ),
    }),
  });
  const response = await post(`${bench.url}/pub`, { topic: "com.x" });
  assertEquals(response.status, 500);
  assertEquals(response.json, {
    error: "wamp.error.runtime_error",
    args: ["Sorry, Crossbar.io has encountered a problem."],
    kwargs: {},
  });
});

Deno.test("createPublisherService() joins again after its session was killed", async () => {
  await using bench = publisherBench("trusted");
  const first = await post(`${bench.url}/pub`, { topic: "com.x" });
  assertEquals(first.status, 200);
  const session = await bench.connect() as AbSession & {
    call(p: string, a: unknown[]): Promise<unknown>;
  };
  const killed = await session.call("wamp.session.kill_by_authrole", [
    "trusted",
  ]);
  assertEquals(killed, 1);
  // Let the kill reach the bridge's in-process session.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const { event } = await subscribeOnce(session, "com.example.again");
  const again = await post(`${bench.url}/pub`, {
    topic: "com.example.again",
    args: ["back"],
  });
  assertEquals(again.status, 200, again.text);
  assertEquals((await event).args, ["back"]);
});
