import autobahn from "autobahn";
import { createCallerService } from "../../lib/bridge/mod.ts";
import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { callerConfig, post, startBench } from "./_helpers.ts";

function callerBench(role = "anonymous") {
  return startBench({
    services: (env) => ({
      call: createCallerService(
        callerConfig({ type: "caller", realm: "realm1", role }),
        env,
      ),
    }),
  });
}

Deno.test("createCallerService() returns an autobahn-js callee's single result as {args: [v]}", async () => {
  await using bench = callerBench();
  const callee = await bench.connect();
  await callee.register(
    "com.example.add",
    (args) => Number(args?.[0]) + Number(args?.[1]),
  );
  const response = await post(`${bench.url}/call`, {
    procedure: "com.example.add",
    args: [2, 3],
  });
  assertEquals(response.status, 200);
  assertEquals(response.json, { args: [5] });
  assertEquals(
    response.headers.get("content-type"),
    "application/json; charset=UTF-8",
  );
});

Deno.test("createCallerService() passes kwargs and returns several results, leaving out empty parts", async () => {
  await using bench = callerBench();
  const callee = await bench.connect();
  await callee.register(
    "com.example.multi",
    (args, kwargs) => new autobahn.Result(args, kwargs),
  );
  await callee.register(
    "com.example.kwonly",
    (_args, kwargs) => new autobahn.Result([], kwargs),
  );
  await callee.register("com.example.nothing", () => undefined);
  const url = `${bench.url}/call`;
  assertEquals(
    (await post(url, {
      procedure: "com.example.multi",
      args: [1, "two", { three: 3 }],
      kwargs: { k: [null, true] },
    })).json,
    { args: [1, "two", { three: 3 }], kwargs: { k: [null, true] } },
  );
  assertEquals(
    (await post(url, {
      procedure: "com.example.kwonly",
      kwargs: { only: "kw" },
    })).json,
    { kwargs: { only: "kw" } },
  );
  assertEquals(
    (await post(url, { procedure: "com.example.nothing" })).json,
    { args: [null] },
  );
});

Deno.test("createCallerService() answers a callee's WAMP error with 200 and Crossbar's error shape", async () => {
  await using bench = callerBench();
  const callee = await bench.connect();
  await callee.register("com.example.fail", () => {
    throw new autobahn.Error("com.example.error.bad_input", ["no"], {
      field: "x",
    });
  });
  const response = await post(`${bench.url}/call`, {
    procedure: "com.example.fail",
  });
  assertEquals(response.status, 200);
  assertEquals(response.json, {
    error: "com.example.error.bad_input",
    args: ["no"],
    kwargs: { field: "x" },
  });
});

Deno.test("createCallerService() reports no such procedure and a forbidden call as WAMP errors", async () => {
  await using bench = callerBench();
  const missing = await post(`${bench.url}/call`, {
    procedure: "com.example.nobody",
  });
  assertEquals(missing.status, 200);
  assertEquals(
    (missing.json as { error: string }).error,
    "wamp.error.no_such_procedure",
  );
  await using denied = callerBench("nobody");
  const forbidden = await post(`${denied.url}/call`, {
    procedure: "com.example.nobody",
  });
  assertEquals(forbidden.status, 200);
  assertEquals(
    (forbidden.json as { error: string }).error,
    "wamp.error.not_authorized",
  );
});

Deno.test("createCallerService() answers 400 for a missing procedure and bad options", async () => {
  await using bench = callerBench();
  const url = `${bench.url}/call`;
  for (
    const [body, text] of [
      [{ args: [] }, 'missing the key "procedure"'],
      [{ procedure: "" }, '"procedure"'],
      [
        { procedure: "com.x", options: { receive_progress: true } },
        "receive_progress",
      ],
      [{ procedure: "com.x", options: { timeout: -1 } }, "timeout"],
      [{ procedure: "com.x", options: "fast" }, '"options"'],
    ] as const
  ) {
    const response = await post(url, body);
    assertEquals(response.status, 400, JSON.stringify(body));
    assertStringIncludes((response.json as { error: string }).error, text);
  }
});

Deno.test("createCallerService() passes the timeout option to the router", async () => {
  await using bench = callerBench();
  const callee = await bench.connect();
  const { promise: release, resolve } = Promise.withResolvers<string>();
  await callee.register("com.example.slow", () => release);
  const response = await post(`${bench.url}/call`, {
    procedure: "com.example.slow",
    options: { timeout: 50 },
  });
  resolve("late");
  assertEquals(response.status, 200);
  const error = (response.json as { error: string }).error;
  assert(
    error === "wamp.error.timeout" || error === "wamp.error.canceled",
    error,
  );
});
