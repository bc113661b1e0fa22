import { assert, assertEquals } from "../_helpers/assert.ts";
import type { RealmConfig } from "../../lib/wamp/realm.ts";
import type { WampMessage } from "../../lib/wamp/transport.ts";
import {
  flush,
  type Joined,
  joined,
  testRouter,
} from "./_helpers/wamp_recording_transport.ts";

async function register(
  s: Joined,
  uri: string,
  options: Record<string, unknown> = {},
  requestId = 1,
): Promise<number> {
  const [reply] = await s.transport.exchange([64, requestId, options, uri]);
  assertEquals(reply?.[0], 65, JSON.stringify(reply));
  assertEquals(reply?.[1], requestId);
  return reply![2] as number;
}

/** Sends CALL and returns the INVOCATION the callee got. */
async function invoke(
  caller: Joined,
  callee: Joined,
  call: WampMessage,
): Promise<WampMessage> {
  await caller.transport.exchange(call);
  const [invocation] = callee.transport.take();
  assertEquals(invocation?.[0], 68, JSON.stringify(invocation));
  return invocation!;
}

Deno.test("Dealer.call() routes CALL → INVOCATION → YIELD → RESULT with ids and payload", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  const registration = await register(callee, "com.example.add");
  const inv1 = await invoke(caller, callee, [48, 11, {}, "com.example.add", [
    1,
    2,
  ], { x: { y: [null] } }]);
  assertEquals(inv1, [68, 1, registration, {}, [1, 2], { x: { y: [null] } }]);
  const inv2 = await invoke(caller, callee, [48, 12, {}, "com.example.add"]);
  assertEquals(inv2, [68, 2, registration, {}]);
  assertEquals(await callee.transport.exchange([70, 2, {}, [0]]), []);
  assertEquals(caller.transport.take(), [[50, 12, {}, [0]]]);
  await callee.transport.exchange([70, 1, {}, [3], { sum: 3 }]);
  assertEquals(caller.transport.take(), [[50, 11, {}, [3], { sum: 3 }]]);
});

Deno.test("Dealer.call() answers no_such_procedure", async () => {
  await using router = testRouter();
  const caller = await joined(router);
  assertEquals(
    await caller.transport.exchange([48, 1, {}, "com.example.none"]),
    [[
      8,
      48,
      1,
      {},
      "wamp.error.no_such_procedure",
      ['No callee registered for procedure "com.example.none"'],
    ]],
  );
});

Deno.test("Dealer.invocationError() forwards the callee's ERROR to the caller", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.fail");
  const inv = await invoke(caller, callee, [48, 5, {}, "com.example.fail"]);
  await callee.transport.exchange([
    8,
    68,
    inv[1],
    { d: 1 },
    "com.example.oops",
    ["why"],
    { code: 7 },
  ]);
  assertEquals(caller.transport.take(), [[
    8,
    48,
    5,
    { d: 1 },
    "com.example.oops",
    ["why"],
    { code: 7 },
  ]]);
});

Deno.test("Dealer.register() refuses a second single registration", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const b = await joined(router);
  await register(a, "com.example.p");
  const [error] = await b.transport.exchange([64, 1, {}, "com.example.p"]);
  assertEquals(error?.slice(0, 5), [
    8,
    64,
    1,
    {},
    "wamp.error.procedure_already_exists",
  ]);
});

Deno.test("Dealer.register() refuses a mismatched invocation policy", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const b = await joined(router);
  await register(a, "com.example.p", { invoke: "roundrobin" });
  const [error] = await b.transport.exchange([
    64,
    1,
    { invoke: "random" },
    "com.example.p",
  ]);
  assertEquals(
    error?.[4],
    "wamp.error.procedure_exists_with_different_invocation_policy",
  );
});

Deno.test("Dealer.register() refuses reserved wamp. procedures", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const [error] = await a.transport.exchange([64, 1, {}, "wamp.session.count"]);
  assertEquals(error?.[4], "wamp.error.invalid_uri");
});

async function sharedCallees(policy: string, count: number) {
  const router = testRouter();
  const callees: Joined[] = [];
  let registration = 0;
  for (let i = 0; i < count; i++) {
    const callee = await joined(router);
    registration = await register(callee, "com.example.shared", {
      invoke: policy,
    });
    callees.push(callee);
  }
  const caller = await joined(router);
  const hits: number[] = [];
  for (let i = 0; i < 6; i++) {
    await caller.transport.exchange([48, i + 1, {}, "com.example.shared"]);
    hits.push(callees.findIndex((c) => c.transport.take().length > 0));
  }
  return { router, hits, registration };
}

Deno.test("Dealer.call() spreads calls round-robin", async () => {
  const { router, hits } = await sharedCallees("roundrobin", 3);
  assertEquals(hits, [0, 1, 2, 0, 1, 2]);
  await router.close();
});

Deno.test("Dealer.call() picks the first callee with invoke first", async () => {
  const { router, hits } = await sharedCallees("first", 3);
  assertEquals(hits, [0, 0, 0, 0, 0, 0]);
  await router.close();
});

Deno.test("Dealer.call() picks the last callee with invoke last", async () => {
  const { router, hits } = await sharedCallees("last", 3);
  assertEquals(hits, [2, 2, 2, 2, 2, 2]);
  await router.close();
});

Deno.test("Dealer.call() picks some callee with invoke random", async () => {
  const { router, hits } = await sharedCallees("random", 3);
  assert(hits.every((h) => h >= 0 && h < 3));
  await router.close();
});

Deno.test("Dealer.call() falls over to the next callee when one leaves", async () => {
  await using router = testRouter();
  const a = await joined(router);
  const b = await joined(router);
  await register(a, "com.example.p", { invoke: "first" });
  await register(b, "com.example.p", { invoke: "first" });
  a.transport.drop();
  const caller = await joined(router);
  await invoke(caller, b, [48, 1, {}, "com.example.p"]);
});

// The spec's precedence example, except that prefixes match by characters
// (as the spec's prefix section and Crossbar do), so "a1.b2.c3" would also
// match "a1.b2.c33…"; the second wildcard uses c77 instead of c33.
Deno.test("Dealer.call() prefers exact over longest prefix over wildcard", async () => {
  await using router = testRouter();
  const exact = await joined(router);
  const short = await joined(router);
  const long = await joined(router);
  const wild = await joined(router);
  const wild2 = await joined(router);
  await register(exact, "a1.b2.c3.d4.e55");
  await register(short, "a1.b2.c3", { match: "prefix" });
  await register(long, "a1.b2.c3.d4", { match: "prefix" });
  await register(wild, "a1.b2..d4.e5", { match: "wildcard" });
  await register(wild2, "a1.b2.c77..e5", { match: "wildcard" });
  const caller = await joined(router);
  let requestId = 0;
  const who = async (uri: string) => {
    await caller.transport.exchange([48, ++requestId, {}, uri]);
    caller.transport.take();
    const all = { exact, short, long, wild, wild2 };
    for (const [name, s] of Object.entries(all)) {
      const got = s.transport.take();
      if (got.length > 0) return { name, details: got[0]![3] };
    }
    return undefined;
  };
  assertEquals(await who("a1.b2.c3.d4.e55"), { name: "exact", details: {} });
  assertEquals(await who("a1.b2.c3.d98.e74"), {
    name: "short",
    details: { procedure: "a1.b2.c3.d98.e74" },
  });
  assertEquals((await who("a1.b2.c3.d4.e325"))?.name, "long");
  assertEquals((await who("a1.b2.c55.d4.e5"))?.name, "wild");
  assertEquals((await who("a1.b2.c77.d4.e5"))?.name, "wild2");
  assertEquals(await who("a1.b2.c88.d4.e5.f6"), undefined);
});

Deno.test("Dealer.unregister() removes the registration and errors on unknown ids", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const id = await register(callee, "com.example.p");
  assertEquals(await callee.transport.exchange([66, 2, id]), [[67, 2]]);
  const [error] = await callee.transport.exchange([66, 3, id]);
  assertEquals(error?.slice(0, 5), [
    8,
    66,
    3,
    {},
    "wamp.error.no_such_registration",
  ]);
  const caller = await joined(router);
  const [reply] = await caller.transport.exchange([48, 1, {}, "com.example.p"]);
  assertEquals(reply?.[4], "wamp.error.no_such_procedure");
});

Deno.test("Dealer.call() ignores disclose_me when the role does not disclose callers", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router, { authid: "carl" });
  await register(callee, "com.example.p");
  const inv = await invoke(caller, callee, [
    48,
    1,
    { disclose_me: true },
    "com.example.p",
  ]);
  assertEquals(inv[3], {});
});

Deno.test("Dealer.call() discloses the caller when the role says so", async () => {
  const realm: RealmConfig = {
    name: "realm1",
    roles: [{
      name: "anonymous",
      permissions: [{
        uri: "com.example.*",
        allow: { call: true, register: true },
        disclose: { caller: true },
      }],
    }],
  };
  await using router = testRouter([realm]);
  const callee = await joined(router);
  const caller = await joined(router, { authid: "carl" });
  await register(callee, "com.example.p");
  const inv = await invoke(caller, callee, [48, 1, {}, "com.example.p"]);
  assertEquals(inv[3], {
    caller: caller.sessionId,
    caller_authid: "carl",
    caller_authrole: "anonymous",
  });
});

Deno.test("Dealer.yield() relays progressive results when asked, then the final one", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.p");
  const inv = await invoke(caller, callee, [
    48,
    9,
    { receive_progress: true },
    "com.example.p",
  ]);
  assertEquals(inv[3], { receive_progress: true });
  await callee.transport.exchange([70, inv[1], { progress: true }, [1]]);
  await callee.transport.exchange([70, inv[1], { progress: true }, [2], {
    k: 1,
  }]);
  await callee.transport.exchange([70, inv[1], {}, [3]]);
  assertEquals(caller.transport.take(), [
    [50, 9, { progress: true }, [1]],
    [50, 9, { progress: true }, [2], { k: 1 }],
    [50, 9, {}, [3]],
  ]);
});

Deno.test("Dealer.yield() drops progressive results the caller did not ask for", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.p");
  const inv = await invoke(caller, callee, [48, 9, {}, "com.example.p"]);
  await callee.transport.exchange([70, inv[1], { progress: true }, [1]]);
  await callee.transport.exchange([70, inv[1], {}, [3]]);
  assertEquals(caller.transport.take(), [[50, 9, {}, [3]]]);
});

Deno.test("Dealer.cancel() with skip answers canceled and discards the late result", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.p");
  const inv = await invoke(caller, callee, [48, 4, {}, "com.example.p"]);
  assertEquals(await caller.transport.exchange([49, 4, { mode: "skip" }]), [[
    8,
    48,
    4,
    {},
    "wamp.error.canceled",
    ["The call was canceled"],
  ]]);
  assertEquals(callee.transport.take(), []);
  await callee.transport.exchange([70, inv[1], {}, ["late"]]);
  assertEquals(caller.transport.take(), []);
});

Deno.test("Dealer.cancel() with kill interrupts and waits for the callee", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.p");
  const inv = await invoke(caller, callee, [48, 4, {}, "com.example.p"]);
  assertEquals(await caller.transport.exchange([49, 4, { mode: "kill" }]), []);
  assertEquals(callee.transport.take(), [[69, inv[1], { mode: "kill" }]]);
  await callee.transport.exchange([8, 68, inv[1], {}, "wamp.error.canceled"]);
  assertEquals(caller.transport.take(), [[
    8,
    48,
    4,
    {},
    "wamp.error.canceled",
  ]]);
});

Deno.test("Dealer.cancel() with killnowait interrupts and answers at once", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.p");
  const inv = await invoke(caller, callee, [48, 4, {}, "com.example.p"]);
  const frames = await caller.transport.exchange([49, 4, {
    mode: "killnowait",
  }]);
  assertEquals(frames[0]?.slice(0, 5), [8, 48, 4, {}, "wamp.error.canceled"]);
  assertEquals(callee.transport.take(), [[69, inv[1], { mode: "killnowait" }]]);
  await callee.transport.exchange([8, 68, inv[1], {}, "wamp.error.canceled"]);
  assertEquals(caller.transport.take(), []);
});

Deno.test("Dealer.cancel() falls back to skip when the callee cannot cancel", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const plain = callee.transport;
  // A second callee session that announces no features at all.
  const bare = await joined(router);
  await bare.transport.exchange([6, {}, "wamp.close.close_realm"]);
  await bare.transport.exchange([1, "realm1", {
    roles: { caller: {}, callee: {} },
  }]);
  bare.transport.take();
  await register(bare, "com.example.p");
  const caller = await joined(router);
  await invoke(caller, bare, [48, 4, {}, "com.example.p"]);
  const frames = await caller.transport.exchange([49, 4, { mode: "kill" }]);
  assertEquals(frames[0]?.[4], "wamp.error.canceled");
  assertEquals(bare.transport.take(), []);
  assertEquals(plain.take(), []);
});

Deno.test("Dealer.call() with timeout answers wamp.error.timeout and interrupts", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.slow");
  const inv = await invoke(caller, callee, [
    48,
    3,
    { timeout: 20 },
    "com.example.slow",
  ]);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assertEquals(caller.transport.take(), [[8, 48, 3, {}, "wamp.error.timeout", [
    "The call timed out",
  ]]]);
  assertEquals(callee.transport.take(), [[69, inv[1], { mode: "killnowait" }]]);
  await callee.transport.exchange([70, inv[1], {}, ["late"]]);
  assertEquals(caller.transport.take(), []);
});

Deno.test("Dealer.call() with timeout leaves a fast result alone", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.fast");
  const inv = await invoke(caller, callee, [
    48,
    3,
    { timeout: 5000 },
    "com.example.fast",
  ]);
  await callee.transport.exchange([70, inv[1], {}, [1]]);
  assertEquals(caller.transport.take(), [[50, 3, {}, [1]]]);
});

Deno.test("Dealer.removeSession() fails pending calls when the callee leaves", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.p");
  await invoke(caller, callee, [48, 6, {}, "com.example.p"]);
  callee.transport.drop();
  await flush();
  assertEquals(caller.transport.take(), [[
    8,
    48,
    6,
    {},
    "wamp.error.canceled",
    ["The callee disconnected from the in-flight call"],
  ]]);
  const [error] = await caller.transport.exchange([48, 7, {}, "com.example.p"]);
  assertEquals(error?.[4], "wamp.error.no_such_procedure");
});

Deno.test("Dealer.removeSession() interrupts calls of a leaving caller", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.p");
  const inv = await invoke(caller, callee, [48, 6, {}, "com.example.p"]);
  assertEquals(
    await caller.transport.exchange([6, {}, "wamp.close.close_realm"]),
    [[6, {}, "wamp.close.goodbye_and_out"]],
  );
  assertEquals(callee.transport.take(), [[69, inv[1], { mode: "killnowait" }]]);
  await callee.transport.exchange([70, inv[1], {}, ["late"]]);
  assertEquals(caller.transport.take(), []);
});

Deno.test("Dealer passes an end-to-end encrypted call and result through untouched", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await register(callee, "com.example.p");
  const ppt = { "ppt_scheme": "mqtt", "ppt_serializer": "native" };
  const sealed = new Uint8Array([9, 8, 7]);
  const inv = await invoke(caller, callee, [
    48,
    1,
    ppt,
    "com.example.p",
    sealed,
  ]);
  assertEquals(inv[3], ppt);
  assertEquals(inv[4], sealed);
  const answer = new Uint8Array([6, 5]);
  await callee.transport.exchange([70, inv[1], ppt, answer]);
  const [result] = caller.transport.take();
  assertEquals(result, [50, 1, ppt, answer]);
});
