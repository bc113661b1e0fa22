import { fileURLToPath } from "node:url";
import { hostNode } from "../../lib/node/mod.ts";
import { checkWsgiApp } from "../../lib/apphost/mod.ts";
import { wsgiOptions } from "../apphost/_setup.ts";
import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";
import { type AbSession, autobahnOpen, nodeConfig } from "./_autobahn.ts";

const CBDIR = fileURLToPath(new URL("./testdata", import.meta.url));

function startNode(app: Record<string, unknown> = {}) {
  return hostNode(
    nodeConfig({
      module: "wamp_app",
      wamp: { realm: "realm1", role: "backend" },
      ...app,
    }),
    { cbdir: CBDIR },
  );
}

function wsUrl(url: string): string {
  return url.replace("http:", "ws:") + "/ws";
}

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  return await response.json();
}

/** `promise`, or a clear failure after a generous wait. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out waiting for ${what}`)),
      20_000,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when `check` returns true for an event on `topic`. */
async function waitForEvent(
  session: AbSession,
  topic: string,
  check: (args: unknown[]) => boolean,
): Promise<{ unsubscribe(): Promise<void>; seen: Promise<unknown[]> }> {
  const seen = Promise.withResolvers<unknown[]>();
  const subscription = await session.subscribe(topic, (args: unknown[]) => {
    if (check(args)) seen.resolve(args);
  });
  return {
    seen: within(seen.promise, `an event on ${topic}`),
    unsubscribe: () => session.unsubscribe(subscription),
  };
}

Deno.test("wamp() publishes from the app to an autobahn-js subscriber", async () => {
  await using node = await startNode();
  await using client = await autobahnOpen(wsUrl(node.url));
  const received = Promise.withResolvers<unknown[]>();
  await client.session.subscribe(
    "com.test.news",
    (args: unknown[]) => received.resolve(args),
  );
  const answer = await getJson(node.url + "/publish?text=hello");
  assertEquals(typeof answer.ok, "number");
  assertEquals(await received.promise, ["hello"]);
});

Deno.test("wamp() procedures of the app answer autobahn-js calls, errors included", async () => {
  await using node = await startNode();
  await using client = await autobahnOpen(wsUrl(node.url));
  assertEquals(await client.session.call("com.test.add", [20, 22]), 42);
  const failure = await client.session.call("com.test.fail").then(
    () => undefined,
    (error: { error: string; args: unknown[]; kwargs: unknown }) => error,
  );
  assertEquals(failure?.error, "com.test.oops");
  assertEquals(failure?.args, ["bad input"]);
  assertEquals(failure?.kwargs, { code: 7 });

  // The app calls a procedure of the browser-side client, and itself with
  // progressive results.
  await client.session.register(
    "com.test.remote",
    (args: number[]) => `remote ${args[0]! * args[1]!}`,
  );
  assertEquals(
    (await getJson(node.url + "/call?procedure=com.test.remote")).ok,
    ["remote 6"],
  );
  assertEquals(
    (await getJson(node.url + "/progress?procedure=com.test.countdown")).ok,
    [[true, 3], [true, 2], [true, 1], [false, "liftoff"]],
  );
  // Events the app reads with `for await` come back through it.
  const echoed = Promise.withResolvers<unknown[]>();
  await client.session.subscribe(
    "com.test.echo.out",
    (args: unknown[]) => echoed.resolve(args),
  );
  client.session.publish("com.test.echo.in", ["ping"]);
  assertEquals(await echoed.promise, ["ping"]);
});

Deno.test("wamp() session is a normal router session with the configured role", async () => {
  await using node = await startNode({
    wamp: { realm: "realm1", role: "backend", authid: "my-backend" },
  });
  await using client = await autobahnOpen(wsUrl(node.url));
  const mine = await getJson(node.url + "/session");
  assertEquals(mine.realm, "realm1");
  assertEquals(mine.authrole, "backend");
  assertEquals(mine.authid, "my-backend");
  const ids: number[] = await client.session.call("wamp.session.list");
  assert(ids.includes(mine.sessionId as number), "listed by the meta API");
  const details = await client.session.call("wamp.session.get", [
    mine.sessionId,
  ]);
  assertEquals(details.authrole, "backend");
});

Deno.test("wamp() role without permission gets wamp.error.not_authorized", async () => {
  await using node = await startNode();
  const denied = "wamp.error.not_authorized";
  assertEquals(
    (await getJson(node.url + "/publish?topic=com.other.news")).error,
    denied,
  );
  assertEquals(
    (await getJson(node.url + "/call?procedure=com.other.add")).error,
    denied,
  );
  assertEquals(
    (await getJson(node.url + "/register?procedure=com.other.proc")).error,
    denied,
  );
  assertEquals(
    (await getJson(node.url + "/register?procedure=com.test.proc")).ok !==
      undefined,
    true,
  );
});

Deno.test("wamp() registrations go with a crashed worker and come back with its replacement", async () => {
  await using node = await startNode();
  await using client = await autobahnOpen(wsUrl(node.url));
  const before = (await getJson(node.url + "/session")).sessionId as number;
  const left = await waitForEvent(
    client.session,
    "wamp.session.on_leave",
    (args) => args[0] === before,
  );
  const deleted = await waitForEvent(
    client.session,
    "wamp.registration.on_delete",
    (args) => args[0] === before,
  );
  const created = await waitForEvent(
    client.session,
    "wamp.registration.on_create",
    (args) =>
      args[0] !== before &&
      (args[1] as { uri?: string }).uri === "com.test.add",
  );
  assertEquals(await client.session.call("com.test.crash"), "crashing");
  await left.seen;
  await deleted.seen;
  await created.seen;
  assertEquals(await client.session.call("com.test.add", [1, 2]), 3);
  const after = (await getJson(node.url + "/session")).sessionId as number;
  assert(after !== before, "the new worker has a new session");
  const ids: number[] = await client.session.call("wamp.session.list");
  assert(!ids.includes(before), "the old session is gone");
  await Promise.all([left, deleted, created].map((w) => w.unsubscribe()));
});

/**
 * Watches for the old app session to leave and a new one to complete its
 * top-level setup (its subscription comes after all its registrations).
 */
async function watchReplacement(session: AbSession, old: number) {
  const isNew = (args: unknown[]) => args[0] !== old && args[0] !== session.id;
  return [
    await waitForEvent(session, "wamp.session.on_leave", (a) => a[0] === old),
    await waitForEvent(session, "wamp.registration.on_register", isNew),
    await waitForEvent(session, "wamp.subscription.on_subscribe", isNew),
  ];
}

Deno.test("wamp() sessions of recycled and timed-out workers are replaced", async (t) => {
  for (
    const [name, options, trigger] of [
      ["recycle", { max_requests: 2 }, "/session"],
      ["timeout", { timeout: 0.5 }, "/hang"],
    ] as const
  ) {
    await t.step(name, async () => {
      await using node = await startNode(options);
      await using client = await autobahnOpen(wsUrl(node.url));
      const old = (await getJson(node.url + "/session")).sessionId as number;
      const watchers = await watchReplacement(client.session, old);
      const response = await fetch(node.url + trigger);
      await response.body?.cancel();
      for (const watcher of watchers) await watcher.seen;
      assert(await client.session.call("com.test.whoami") !== old);
      const echoed = Promise.withResolvers<unknown[]>();
      await client.session.subscribe(
        "com.test.echo.out",
        (args: unknown[]) => echoed.resolve(args),
      );
      client.session.publish("com.test.echo.in", ["again"]);
      assertEquals(await within(echoed.promise, "the echo"), ["again"]);
      await Promise.all(watchers.map((w) => w.unsubscribe()));
    });
  }
});

Deno.test("wamp() gives each pool worker its own session; roundrobin spreads calls", async () => {
  await using node = await startNode({ workers: 2 });
  await using client = await autobahnOpen(wsUrl(node.url));
  const seen = new Set<number>();
  for (let i = 0; i < 6; i++) {
    seen.add(await client.session.call("com.test.whoami"));
  }
  assertEquals(seen.size, 2);
  const registration = await client.session.call(
    "wamp.registration.lookup",
    ["com.test.whoami"],
  );
  assertEquals(
    await client.session.call("wamp.registration.count_callees", [
      registration,
    ]),
    2,
  );
});

Deno.test("wamp() rejects with WampUnavailableError when the path has no wamp config", async () => {
  await using node = await hostNode(
    nodeConfig({ module: "no_wamp_app" }),
    { cbdir: CBDIR },
  );
  const answer = await getJson(node.url + "/");
  assertEquals(answer.name, "WampUnavailableError");
  assertEquals(
    answer.message,
    'Cannot join the router: the wsgi path "/" has no "wamp" config; add "wamp": {"realm": "…", "role": "…"} to it',
  );
});

Deno.test("a wamp config with an unknown role is refused, naming role and realm", async () => {
  // The config's cross checks catch it before any worker starts.
  await assertRejects(
    () => startNode({ wamp: { realm: "realm1", role: "nobody" } }),
    Error,
    'role "nobody" is not a role of realm "realm1"',
  );
});

Deno.test("checkWsgiApp() loads an app that joins at import time", async () => {
  await checkWsgiApp(wsgiOptions({
    path: "/",
    module: "wamp_app",
    object: "default",
    cbdir: CBDIR,
    pythonpath: [],
    wamp: { realm: "realm1", role: "backend" },
  }));
});
