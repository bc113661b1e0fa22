import { createRouter } from "../../lib/wamp/mod.ts";
import { createAppSession } from "../../lib/app/app_session.ts";
import { Result, wamp, WampError } from "../../lib/app/mod.ts";
import { WampUnavailableError } from "../../lib/app/mod.ts";
import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";

const ALL = { call: true, register: true, publish: true, subscribe: true };

async function twoSessions() {
  const router = createRouter({
    realms: [{
      name: "realm1",
      roles: [{
        name: "app",
        permissions: [{ uri: "com.", match: "prefix", allow: ALL }],
      }],
    }],
  });
  const connect = async () =>
    createAppSession(
      await router.connectLocal({ realm: "realm1", authrole: "app" }),
    );
  return { router, a: await connect(), b: await connect() };
}

Deno.test("wamp() outside a hosted app rejects with a clear error", async () => {
  await assertRejects(
    () => wamp(),
    WampUnavailableError,
    "Cannot join the router: this code is not running in a hosted app (a worker of a wsgi path)",
  );
});

Deno.test("AppSession.subscribe() without a handler is an async iterable; leaving the loop unsubscribes", async () => {
  const { router, a, b } = await twoSessions();
  const subscription = await a.subscribe("com.example.news");
  for (const n of [1, 2, 3]) {
    await b.publish("com.example.news", [n], { n }, { acknowledge: true });
  }
  const got: unknown[] = [];
  for await (const event of subscription) {
    got.push(event.args[0]);
    assertEquals(event.kwargs, { n: event.args[0] });
    assertEquals(typeof event.details.publication, "number");
    if (got.length === 3) break;
  }
  assertEquals(got, [1, 2, 3]);
  assert(subscription.stopped);
  await router.close();
});

Deno.test("AppSession.subscribe() with a handler calls it; the loop ends with the session", async () => {
  const { router, a, b } = await twoSessions();
  const handled: unknown[] = [];
  const subscription = await a.subscribe(
    "com.example.",
    (args) => handled.push(args[0]),
    { match: "prefix" },
  );
  const loop = (async () => {
    const seen: unknown[] = [];
    for await (const event of subscription) seen.push(event.details.topic);
    return seen;
  })();
  await b.publish("com.example.x", ["x"], {}, { acknowledge: true });
  await b.publish("com.example.y", ["y"], {}, { acknowledge: true });
  await router.close();
  assertEquals(await a.closed, "wamp.close.system_shutdown");
  assertEquals(await loop, ["com.example.x", "com.example.y"]);
  assertEquals(handled, ["x", "y"]);
});

Deno.test("AppSession.callProgressive() yields progress then the result; breaking out cancels", async () => {
  const { router, a, b } = await twoSessions();
  let canceled = Promise.withResolvers<unknown>();
  await a.register("com.example.count", async (args, _kw, details) => {
    for (let i = 1; i <= Number(args[0]); i++) details.progress?.([i]);
    if (args[1] === "hang") {
      await new Promise((resolve) => {
        details.signal.addEventListener("abort", resolve, { once: true });
      });
      canceled.resolve(details.signal.reason);
      return undefined;
    }
    return new Result(["done"], { total: args[0] });
  });
  const all = [];
  for await (const r of b.callProgressive("com.example.count", [2])) {
    all.push(r);
  }
  assertEquals(all, [
    { args: [1], kwargs: {}, progress: true },
    { args: [2], kwargs: {}, progress: true },
    { args: ["done"], kwargs: { total: 2 }, progress: false },
  ]);
  canceled = Promise.withResolvers<unknown>();
  for await (const r of b.callProgressive("com.example.count", [5, "hang"])) {
    assertEquals(r.args, [1]);
    break;
  }
  const reason = await canceled.promise;
  assert(reason instanceof WampError);
  assertEquals(reason.uri, "wamp.error.canceled");
  await router.close();
});

Deno.test("AppSession.call() rejects with WampError and honours an AbortSignal", async () => {
  const { router, a, b } = await twoSessions();
  const error = await assertRejects(
    () => b.call("com.example.missing"),
    WampError,
  );
  assertEquals(error.uri, "wamp.error.no_such_procedure");
  await a.register(
    "com.example.slow",
    (_args, _kw, d) =>
      new Promise((resolve) => d.signal.addEventListener("abort", resolve)),
  );
  const controller = new AbortController();
  const call = b.call("com.example.slow", [], {}, {
    signal: controller.signal,
  });
  controller.abort(new Error("gave up"));
  await assertRejects(() => call, Error, "gave up");
  const progress: unknown[] = [];
  await a.register("com.example.tick", (_args, _kw, d) => {
    d.progress?.(["tick"]);
    return "tock";
  });
  const result = await b.call("com.example.tick", [], {}, {
    onProgress: (args) => progress.push(args[0]),
  });
  assertEquals(result.args, ["tock"]);
  assertEquals(progress, ["tick"]);
  await router.close();
});

Deno.test("AppSession.publish() maps its options; excludeMe false delivers to the publisher", async () => {
  const { router, a } = await twoSessions();
  const subscription = await a.subscribe("com.example.self");
  const id = await a.publish("com.example.self", ["me"], {}, {
    acknowledge: true,
    excludeMe: false,
  });
  assertEquals(typeof id, "number");
  const iterator = subscription[Symbol.asyncIterator]();
  const first = await iterator.next();
  assertEquals(first.value?.args, ["me"]);
  assertEquals(first.value?.details.publication, id);
  await subscription.unsubscribe();
  assertEquals((await iterator.next()).done, true);
  await router.close();
});
