import { assert, assertEquals, assertRejects } from "../../_helpers/assert.ts";
import {
  joinRealm,
  messagePortDuplex,
  Result,
  type WampClient,
} from "../../../lib/wamp/client/mod.ts";
import { WampError } from "../../../lib/wamp/errors.ts";
import type { RealmConfig } from "../../../lib/wamp/realm.ts";
import { openRealm } from "../../_helpers/config.ts";
import { testRouter } from "../_helpers/wamp_recording_transport.ts";

function pair(router: ReturnType<typeof testRouter>): Promise<WampClient[]> {
  return Promise.all([
    router.connectLocal({
      realm: "realm1",
      authrole: "anonymous",
      authid: "a",
    }),
    router.connectLocal({
      realm: "realm1",
      authrole: "anonymous",
      authid: "b",
    }),
  ]);
}

/** The open realm, disclosing publishers (so `details.publisher` is set). */
const DISCLOSING_REALM: RealmConfig = openRealm({
  disclose: { caller: true, publisher: true },
});

Deno.test("WampClient.publish() and subscribe() deliver args, kwargs and details", async () => {
  await using router = testRouter([DISCLOSING_REALM]);
  const [a, b] = await pair(router);
  const got: unknown[][] = [];
  const received = Promise.withResolvers<void>();
  await a!.subscribe("com.example.t", (args, kwargs, details) => {
    got.push([args, kwargs, details.publisher, typeof details.publication]);
    received.resolve();
  });
  const publication = await b!.publish("com.example.t", [1], { k: "v" }, {
    acknowledge: true,
    disclose_me: true,
  });
  assert(typeof publication === "number");
  await received.promise;
  assertEquals(got, [[[1], { k: "v" }, b!.sessionId, "number"]]);
  assertEquals(await b!.publish("com.example.t"), undefined);
});

Deno.test("WampClient.subscribe() unsubscribe() stops delivery", async () => {
  await using router = testRouter();
  const [a, b] = await pair(router);
  let count = 0;
  const subscription = await a!.subscribe("com.example.t", () => count++);
  await subscription.unsubscribe();
  await b!.publish("com.example.t", [], {}, { acknowledge: true });
  await b!.call("wamp.session.count");
  assertEquals(count, 0);
  const listed = await b!.call("wamp.subscription.list");
  assertEquals(listed.args, [{ exact: [], prefix: [], wildcard: [] }]);
});

Deno.test("WampClient.call() reaches a registered handler and returns its value", async () => {
  await using router = testRouter();
  const [callee, caller] = await pair(router);
  await callee!.register(
    "com.example.add",
    (args) => (args[0] as number) + (args[1] as number),
  );
  assertEquals(await caller!.call("com.example.add", [2, 3]), {
    args: [5],
    kwargs: {},
  });
  await callee!.register(
    "com.example.multi",
    () => new Result([1, 2], { c: 3 }),
  );
  assertEquals(await caller!.call("com.example.multi"), {
    args: [1, 2],
    kwargs: { c: 3 },
  });
  await callee!.register("com.example.nothing", () => undefined);
  assertEquals(await caller!.call("com.example.nothing"), {
    args: [],
    kwargs: {},
  });
});

Deno.test("WampClient.call() rejects with the handler's WampError", async () => {
  await using router = testRouter();
  const [callee, caller] = await pair(router);
  await callee!.register("com.example.fail", () => {
    throw new WampError("com.example.bad_input", ["nope"], { field: "x" });
  });
  const error = await assertRejects(
    () => caller!.call("com.example.fail"),
    WampError,
  );
  assertEquals([error.uri, error.args, error.kwargs], [
    "com.example.bad_input",
    ["nope"],
    { field: "x" },
  ]);
  await callee!.register("com.example.crash", () => {
    throw new Error("boom");
  });
  const crash = await assertRejects(
    () => caller!.call("com.example.crash"),
    WampError,
  );
  assertEquals([crash.uri, crash.args], ["wamp.error.runtime_error", ["boom"]]);
  const missing = await assertRejects(
    () => caller!.call("com.example.none"),
    WampError,
  );
  assertEquals(missing.uri, "wamp.error.no_such_procedure");
});

Deno.test("WampClient.call() receives progressive results through onProgress", async () => {
  await using router = testRouter();
  const [callee, caller] = await pair(router);
  await callee!.register("com.example.count", (_args, _kwargs, details) => {
    for (let i = 1; i <= 3; i++) details.progress?.([i]);
    return "done";
  });
  const progress: unknown[] = [];
  const result = await caller!.call("com.example.count", [], {}, {
    onProgress: (args) => progress.push(args[0]),
  });
  assertEquals(progress, [1, 2, 3]);
  assertEquals(result.args, ["done"]);
});

Deno.test("WampClient.call() with an aborted signal cancels at the callee", async () => {
  await using router = testRouter();
  const [callee, caller] = await pair(router);
  const started = Promise.withResolvers<void>();
  const interrupted = Promise.withResolvers<unknown>();
  await callee!.register("com.example.slow", (_a, _k, details) => {
    started.resolve();
    return new Promise((_resolve, reject) => {
      details.signal.addEventListener("abort", () => {
        interrupted.resolve(details.signal.reason);
        reject(details.signal.reason);
      });
    });
  });
  const controller = new AbortController();
  const call = caller!.call("com.example.slow", [], {}, {
    signal: controller.signal,
  });
  await started.promise;
  controller.abort(new Error("user gave up"));
  await assertRejects(() => call, Error, "user gave up");
  const reason = await interrupted.promise;
  assert(reason instanceof WampError && reason.uri === "wamp.error.canceled");
  await assertRejects(
    () =>
      caller!.call("com.example.slow", [], {}, { signal: controller.signal }),
    Error,
    "user gave up",
  );
});

Deno.test("WampClient.call() with timeout rejects with wamp.error.timeout", async () => {
  await using router = testRouter();
  const [callee, caller] = await pair(router);
  let signal: AbortSignal | undefined;
  await callee!.register("com.example.hang", (_a, _k, details) => {
    signal = details.signal;
    return new Promise((resolve) =>
      details.signal.addEventListener("abort", resolve)
    );
  });
  const error = await assertRejects(
    () => caller!.call("com.example.hang", [], {}, { timeout: 30 }),
    WampError,
  );
  assertEquals(error.uri, "wamp.error.timeout");
  await caller!.call("wamp.session.count");
  assertEquals(signal?.aborted, true);
});

Deno.test("WampClient.register() supports shared round-robin registrations", async () => {
  await using router = testRouter();
  const [a, b] = await pair(router);
  const caller = await router.connectLocal({
    realm: "realm1",
    authrole: "anonymous",
  });
  await a!.register("com.example.who", () => "a", { invoke: "roundrobin" });
  await b!.register("com.example.who", () => "b", { invoke: "roundrobin" });
  const answers: unknown[] = [];
  for (let i = 0; i < 4; i++) {
    answers.push((await caller.call("com.example.who")).args[0]);
  }
  assertEquals(answers, ["a", "b", "a", "b"]);
});

Deno.test("WampClient.register() unregister() removes the procedure", async () => {
  await using router = testRouter();
  const [callee, caller] = await pair(router);
  const registration = await callee!.register("com.example.p", () => 1);
  await registration.unregister();
  const error = await assertRejects(
    () => caller!.call("com.example.p"),
    WampError,
  );
  assertEquals(error.uri, "wamp.error.no_such_procedure");
});

Deno.test("WampClient.close() leaves the realm and rejects later requests", async () => {
  await using router = testRouter();
  const [a, b] = await pair(router);
  await a!.register("com.example.p", () => 1);
  await a!.close();
  assertEquals(await a!.closed, "wamp.close.normal");
  assertEquals(a!.isOpen, false);
  await assertRejects(() => a!.call("com.example.p"), WampError);
  const error = await assertRejects(() => b!.call("com.example.p"), WampError);
  assertEquals(error.uri, "wamp.error.no_such_procedure");
  await a!.close();
});

Deno.test("WampClient learns when the router shuts down", async () => {
  const router = testRouter();
  const [a] = await pair(router);
  await router.close();
  assertEquals(await a!.closed, "wamp.close.system_shutdown");
});

Deno.test("WampClient.subscribe() gets meta events as a trusted local session", async () => {
  await using router = testRouter();
  const watcher = await router.connectLocal({
    realm: "realm1",
    authrole: "trusted",
  });
  const joins: unknown[] = [];
  const joined = Promise.withResolvers<void>();
  await watcher.subscribe("wamp.session.on_join", (args) => {
    joins.push((args[0] as Record<string, unknown>).authid);
    joined.resolve();
  });
  await router.connectLocal({
    realm: "realm1",
    authrole: "anonymous",
    authid: "x",
  });
  await joined.promise;
  assertEquals(joins, ["x"]);
});

Deno.test("WampClient.publish() from a role without permission is refused", async () => {
  await using router = testRouter([{
    name: "realm1",
    roles: [{
      name: "reader",
      permissions: [{ uri: "com.*", allow: { subscribe: true } }],
    }],
  }]);
  const client = await router.connectLocal({
    realm: "realm1",
    authrole: "reader",
  });
  const error = await assertRejects(
    () => client.publish("com.example.t", [], {}, { acknowledge: true }),
    WampError,
  );
  assertEquals(error.uri, "wamp.error.not_authorized");
});

Deno.test("Router.acceptLocal() serves a client over a MessagePort with the given identity", async () => {
  await using router = testRouter();
  const channel = new MessageChannel();
  router.acceptLocal(messagePortDuplex(channel.port1), {
    realm: "realm1",
    authrole: "anonymous",
    authid: "worker-app",
  });
  const client = await joinRealm(messagePortDuplex(channel.port2), {
    realm: "realm1",
    authmethods: ["internal"],
    authid: "someone-else",
  });
  assertEquals([client.authid, client.authrole], ["worker-app", "anonymous"]);
  await client.register("com.example.echo", (args) => args[0]);
  const local = await router.connectLocal({
    realm: "realm1",
    authrole: "anonymous",
  });
  assertEquals(
    (await local.call("com.example.echo", [new Uint8Array([1, 2])])).args,
    [
      new Uint8Array([1, 2]),
    ],
  );
  await client.close();
  assertEquals(router.stats().realms[0]!.sessions, 1);
});

Deno.test("Router.acceptLocal() refuses an unknown role", () => {
  const router = testRouter();
  const channel = new MessageChannel();
  try {
    let thrown: unknown;
    try {
      router.acceptLocal(messagePortDuplex(channel.port1), {
        realm: "realm1",
        authrole: "ghost",
      });
    } catch (error) {
      thrown = error;
    }
    assert(
      thrown instanceof WampError && thrown.uri === "wamp.error.no_such_role",
    );
  } finally {
    channel.port1.close();
    channel.port2.close();
  }
});
