import autobahn from "autobahn";
import {
  autobahnConnect,
  nextCall,
  RawWampClient,
  startWampServer,
  within,
} from "./_wire_helpers.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";

type Handler = (
  args: unknown[],
  kwargs: Record<string, unknown>,
  details: Record<string, unknown>,
) => unknown;

function errorUri(error: unknown): string {
  return (error as { error?: string }).error ?? String(error);
}

for (const serializer of ["json", "msgpack", "cbor"] as const) {
  Deno.test(`createWebSocketService() routes autobahn-js ${serializer} calls, results and errors`, async () => {
    await using server = startWampServer();
    await using callee = await autobahnConnect(server.url, { serializer });
    await using caller = await autobahnConnect(server.url, { serializer });
    await callee.session.register(
      "com.example.add",
      ((args, kwargs) =>
        new autobahn.Result([(args[0] as number) + (args[1] as number)], {
          echo: kwargs,
        })) as Handler,
    );
    await callee.session.register(
      "com.example.fail",
      (() => {
        throw new autobahn.Error("com.example.oops", ["bad input"], {
          code: 7,
        });
      }) as Handler,
    );
    const result = await caller.session.call("com.example.add", [2, 40], {
      k: "ü",
    });
    assertEquals(result.args, [42]);
    assertEquals(result.kwargs, { echo: { k: "ü" } });
    const error = await caller.session.call("com.example.fail").then(
      () => undefined,
      (e: unknown) => e,
    );
    assertEquals(errorUri(error), "com.example.oops");
    assertEquals((error as { args: unknown[] }).args, ["bad input"]);
    const missing = await caller.session.call("com.example.nothing").then(
      () => undefined,
      (e: unknown) => e,
    );
    assertEquals(errorUri(missing), "wamp.error.no_such_procedure");
  });
}

Deno.test("createWebSocketService() streams progressive results to an autobahn-js caller", async () => {
  await using server = startWampServer();
  await using callee = await autobahnConnect(server.url, {
    serializer: "msgpack",
  });
  await using caller = await autobahnConnect(server.url, {
    serializer: "cbor",
  });
  await callee.session.register(
    "com.example.count",
    ((args, _kwargs, details) => {
      const progress = details.progress as (args: unknown[]) => void;
      for (let i = 1; i <= 3; i++) progress([i]);
      return `done after ${args[0]}`;
    }) as Handler,
  );
  const progress: unknown[] = [];
  const call = caller.session.call("com.example.count", [3], {}, {
    receive_progress: true,
  });
  call.onprogress = (value: unknown) => progress.push(value);
  assertEquals(await within(call, "progressive call"), "done after 3");
  assertEquals(progress, [1, 2, 3]);
});

Deno.test("createWebSocketService() cancels a call in skip mode for an autobahn-js caller", async () => {
  await using server = startWampServer();
  await using callee = await autobahnConnect(server.url);
  await using caller = await autobahnConnect(server.url);
  const invoked = nextCall<[]>();
  await callee.session.register(
    "com.example.slow",
    (() => {
      invoked.fn();
      return new Promise(() => {}); // never answers
    }) as Handler,
  );
  const call = caller.session.call("com.example.slow");
  await invoked.next();
  call.cancel({ mode: "skip" });
  const error = await call.then(() => undefined, (e: unknown) => e);
  assertEquals(errorUri(error), "Cancelled"); // autobahn's own rejection
  // the session stays usable after the cancel
  const count = await caller.session.call("wamp.session.count");
  assertEquals(count, 2);
});

Deno.test("createWebSocketService() interrupts a raw callee when an autobahn-js caller kills a call", async () => {
  await using server = startWampServer();
  const { client: callee } = await RawWampClient.joined(
    server.url,
    "wamp.2.msgpack",
  );
  await using _callee = callee;
  callee.send([64, 1, {}, "com.example.killable"]);
  assertEquals((await callee.next())[0], 65);
  await using caller = await autobahnConnect(server.url);
  const call = caller.session.call("com.example.killable", ["x"]);
  let settled = false;
  const outcome = call.then(() => undefined, (e: unknown) => e).finally(() => {
    settled = true;
  });
  const invocation = await callee.next();
  assertEquals(invocation[0], 68);
  call.cancel({ mode: "kill" });
  const interrupt = await callee.next();
  assertEquals(interrupt[0], 69);
  assertEquals(interrupt[1], invocation[1]);
  // kill waits for the callee: a later call's result comes first
  await caller.session.call("wamp.session.count");
  assertEquals(settled, false);
  callee.send([8, 68, invocation[1], {}, "wamp.error.canceled"]);
  assertEquals(errorUri(await outcome), "wamp.error.canceled");
});

Deno.test("createWebSocketService() spreads roundrobin shared registrations across autobahn-js callees", async () => {
  await using server = startWampServer();
  await using first = await autobahnConnect(server.url);
  await using second = await autobahnConnect(server.url, {
    serializer: "msgpack",
  });
  await using caller = await autobahnConnect(server.url);
  await first.session.register("com.example.shared", () => "first", {
    invoke: "roundrobin",
  });
  await second.session.register("com.example.shared", () => "second", {
    invoke: "roundrobin",
  });
  const results: string[] = [];
  for (let i = 0; i < 4; i++) {
    results.push(await caller.session.call("com.example.shared"));
  }
  assertEquals(results.filter((r) => r === "first").length, 2);
  assertEquals(results.filter((r) => r === "second").length, 2);
  const clash = await first.session.register("com.example.shared", () => "x", {
    invoke: "single",
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert(
    clash !== undefined,
    "a registration with another invoke policy must fail",
  );
});

Deno.test("createWebSocketService() routes pattern registrations, exact before prefix before wildcard", async () => {
  await using server = startWampServer();
  await using callee = await autobahnConnect(server.url, {
    serializer: "cbor",
  });
  await using caller = await autobahnConnect(server.url);
  await callee.session.register("com.example.api.get", () => "exact");
  await callee.session.register(
    "com.example.api",
    ((_a, _k, details) => `prefix:${details.procedure}`) as Handler,
    {
      match: "prefix",
    },
  );
  await callee.session.register(
    "com.example..get",
    ((_a, _k, details) => `wildcard:${details.procedure}`) as Handler,
    {
      match: "wildcard",
    },
  );
  assertEquals(await caller.session.call("com.example.api.get"), "exact");
  assertEquals(
    await caller.session.call("com.example.api.put"),
    "prefix:com.example.api.put",
  );
  assertEquals(
    await caller.session.call("com.example.users.get"),
    "wildcard:com.example.users.get",
  );
});

Deno.test("createWebSocketService() discloses the caller to an autobahn-js callee", async () => {
  await using server = startWampServer();
  await using callee = await autobahnConnect(server.url);
  await using caller = await autobahnConnect(server.url);
  await callee.session.register(
    "com.example.whoami",
    ((_a, _k, details) => details.caller) as Handler,
  );
  assertEquals(
    await caller.session.call("com.example.whoami", [], {}, {
      disclose_me: true,
    }),
    caller.session.id,
  );
});

Deno.test("createWebSocketService() serves the meta API to autobahn-js", async () => {
  await using server = startWampServer();
  await using watcher = await autobahnConnect(server.url);
  const joins = nextCall<[unknown[]]>();
  await watcher.session.subscribe("wamp.session.on_join", joins.fn);
  await using other = await autobahnConnect(server.url, {
    serializer: "msgpack",
  });
  const [args] = await joins.next();
  assertEquals((args[0] as { session: number }).session, other.session.id);
  assertEquals(await watcher.session.call("wamp.session.count"), 2);
  const list = await watcher.session.call("wamp.session.list");
  assertEquals([...list].sort(), [watcher.session.id, other.session.id].sort());
});

Deno.test("createWebSocketService() denies what the role does not allow with wamp.error.not_authorized", async () => {
  await using server = startWampServer({ type: "websocket" }, [{
    name: "realm1",
    roles: [{
      name: "anonymous",
      permissions: [
        {
          uri: "com.example.public.",
          match: "prefix",
          allow: { subscribe: true, call: true },
        },
        { uri: "com.example.own", allow: { register: true } },
      ],
    }],
  }]);
  await using client = await autobahnConnect(server.url);
  const denied = async (what: string, promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    assertEquals(errorUri(error), "wamp.error.not_authorized", what);
  };
  await client.session.subscribe("com.example.public.news", () => {});
  await client.session.register("com.example.own", () => "mine");
  await denied(
    "publish",
    client.session.publish("com.example.public.news", [], {}, {
      acknowledge: true,
    }),
  );
  await denied(
    "subscribe",
    client.session.subscribe("com.example.private", () => {}),
  );
  await denied(
    "register",
    client.session.register("com.example.public.x", () => {}),
  );
  await denied("call", client.session.call("com.example.own"));
});

Deno.test("createWebSocketService() keeps an autobahn-js session working after a raw session is aborted", async () => {
  await using server = startWampServer();
  await using callee = await autobahnConnect(server.url);
  await callee.session.register("com.example.ping", () => "pong");
  const bad = await RawWampClient.open(server.url, "wamp.2.json");
  bad.sendRaw("this is not json");
  const abort = await bad.next();
  assertEquals(abort[0], 3);
  await bad.closed;
  await using caller = await autobahnConnect(server.url);
  assertEquals(await caller.session.call("com.example.ping"), "pong");
});
