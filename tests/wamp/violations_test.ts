import { assertEquals } from "../_helpers/assert.ts";
import type { WampMessage } from "../../lib/wamp/transport.ts";
import {
  connected,
  joined,
  type RecordingTransport,
  testRouter,
} from "./_helpers/wamp_recording_transport.ts";

const PV = "wamp.error.protocol_violation";

interface Case {
  name: string;
  stage: "connected" | "joined";
  message: unknown;
  reason: string;
}

const CASES: Case[] = [
  {
    name: "a message that is not a list",
    stage: "connected",
    message: { hello: 1 },
    reason: "Message is not a non-empty list",
  },
  {
    name: "an empty list",
    stage: "joined",
    message: [],
    reason: "Message is not a non-empty list",
  },
  {
    name: "an unknown message type",
    stage: "joined",
    message: [999, 1],
    reason: "Message type 999 is not one a router accepts",
  },
  {
    name: "a router-to-client message type",
    stage: "joined",
    message: [36, 1, 2, {}],
    reason: "Message type 36 is not one a router accepts",
  },
  {
    name: "a string type code",
    stage: "connected",
    message: ["1", "realm1", {}],
    reason: 'Message type "1" is not one a router accepts',
  },
  {
    name: "CALL before WELCOME",
    stage: "connected",
    message: [48, 1, {}, "com.example.p"],
    reason: "Received CALL before the session was established",
  },
  {
    name: "AUTHENTICATE without CHALLENGE",
    stage: "connected",
    message: [5, "signature", {}],
    reason: "Received AUTHENTICATE before the session was established",
  },
  {
    name: "HELLO with a non-string realm",
    stage: "connected",
    message: [1, 42, {}],
    reason: "Invalid HELLO message: field 1 must be a string",
  },
  {
    name: "HELLO with list details",
    stage: "connected",
    message: [1, "realm1", []],
    reason: "Invalid HELLO message: field 2 must be a dictionary",
  },
  {
    name: "HELLO with bad authmethods",
    stage: "connected",
    message: [1, "realm1", { authmethods: "anonymous" }],
    reason: "Invalid HELLO: authmethods must be a list of strings",
  },
  {
    name: "HELLO with non-dict roles",
    stage: "connected",
    message: [1, "realm1", { roles: ["caller"] }],
    reason: "Invalid HELLO: roles must be a dictionary",
  },
  {
    name: "HELLO without roles",
    stage: "connected",
    message: [1, "realm1", {}],
    reason:
      "Invalid HELLO: details.roles is missing (announce at least one of publisher, subscriber, caller, callee)",
  },
  {
    name: "HELLO with empty roles",
    stage: "connected",
    message: [1, "realm1", { roles: {} }],
    reason:
      "Invalid HELLO: details.roles announces no client role (got none; expected at least one of publisher, subscriber, caller, callee)",
  },
  {
    name: "HELLO with only unknown roles",
    stage: "connected",
    message: [1, "realm1", { roles: { broker: {}, dealer: {} } }],
    reason:
      'Invalid HELLO: details.roles announces no client role (got ["broker","dealer"]; expected at least one of publisher, subscriber, caller, callee)',
  },
  {
    name: "a second HELLO",
    stage: "joined",
    message: [1, "realm1", {}],
    reason: "Received HELLO on an established session",
  },
  {
    name: "AUTHENTICATE on an established session",
    stage: "joined",
    message: [5, "signature", {}],
    reason: "Received AUTHENTICATE on an established session",
  },
  {
    name: "a request id of 0",
    stage: "joined",
    message: [32, 0, {}, "com.example.t"],
    reason:
      "Invalid SUBSCRIBE message: field 1 must be an integer id in 1..2^53",
  },
  {
    name: "a request id above 2^53",
    stage: "joined",
    message: [32, 2 ** 53 + 2, {}, "com.example.t"],
    reason:
      "Invalid SUBSCRIBE message: field 1 must be an integer id in 1..2^53",
  },
  {
    name: "a fractional request id",
    stage: "joined",
    message: [48, 1.5, {}, "com.example.p"],
    reason: "Invalid CALL message: field 1 must be an integer id in 1..2^53",
  },
  {
    name: "a string request id",
    stage: "joined",
    message: [64, "1", {}, "com.example.p"],
    reason:
      "Invalid REGISTER message: field 1 must be an integer id in 1..2^53",
  },
  {
    name: "options that are not a dictionary",
    stage: "joined",
    message: [16, 1, null, "com.example.t"],
    reason: "Invalid PUBLISH message: field 2 must be a dictionary",
  },
  {
    name: "a URI that is not a string",
    stage: "joined",
    message: [48, 1, {}, ["com.example.p"]],
    reason: "Invalid CALL message: field 3 must be a string",
  },
  {
    name: "arguments that are not a list",
    stage: "joined",
    message: [16, 1, {}, "com.example.t", { a: 1 }],
    reason: "Invalid PUBLISH message: field 4 must be a list",
  },
  {
    name: "keyword arguments that are not a dictionary",
    stage: "joined",
    message: [48, 1, {}, "com.example.p", [], [1]],
    reason: "Invalid CALL message: field 5 must be a dictionary",
  },
  {
    name: "too few fields",
    stage: "joined",
    message: [34, 1],
    reason: "Invalid UNSUBSCRIBE message: expected 2 fields, got 1",
  },
  {
    name: "too many fields",
    stage: "joined",
    message: [48, 1, {}, "com.example.p", [], {}, "extra"],
    reason: "Invalid CALL message: expected 3..5 fields, got 6",
  },
  {
    name: "ERROR for a CALL",
    stage: "joined",
    message: [8, 48, 1, {}, "com.example.error"],
    reason:
      "Received ERROR for CALL; a client may only send ERROR for INVOCATION",
  },
  {
    name: "an invalid match policy",
    stage: "joined",
    message: [32, 1, { match: "regex" }, "com.example.t"],
    reason:
      'Invalid SUBSCRIBE: option "match" must be "exact", "prefix" or "wildcard"',
  },
  {
    name: "an invalid invocation policy",
    stage: "joined",
    message: [64, 1, { invoke: "all" }, "com.example.p"],
    reason:
      'Invalid REGISTER: option "invoke" must be one of single, roundrobin, random, first, last',
  },
  {
    name: "an exclude list with a string",
    stage: "joined",
    message: [16, 1, { exclude: ["x"] }, "com.example.t"],
    reason: 'Invalid PUBLISH: option "exclude" must be a list of session ids',
  },
  {
    name: "a non-bool acknowledge",
    stage: "joined",
    message: [16, 1, { acknowledge: "yes" }, "com.example.t"],
    reason: 'Invalid PUBLISH: option "acknowledge" must be a bool',
  },
  {
    name: "a negative call timeout",
    stage: "joined",
    message: [48, 1, { timeout: -5 }, "com.example.p"],
    reason:
      'Invalid CALL: option "timeout" must be a non-negative integer (milliseconds)',
  },
  {
    name: "an invalid cancel mode",
    stage: "joined",
    message: [49, 1, { mode: "now" }],
    reason:
      'Invalid CANCEL: option "mode" must be "skip", "kill" or "killnowait"',
  },
];

async function stage(
  name: Case["stage"],
  router: ReturnType<typeof testRouter>,
): Promise<RecordingTransport> {
  if (name === "connected") return connected(router);
  const { transport } = await joined(router);
  await transport.exchange([64, 100, {}, "com.example.held"]);
  await transport.exchange([32, 101, {}, "com.example.held"]);
  return transport;
}

for (const c of CASES) {
  Deno.test(`Session.onMessage() aborts on ${c.name}`, async () => {
    await using router = testRouter();
    const observer = await joined(router);
    const t = await stage(c.stage, router);
    const frames = await t.exchange(c.message as WampMessage);
    assertEquals(frames, [[3, { message: c.reason }, PV]]);
    assertEquals(t.closed, true);
    // Nothing of the aborted session is left behind.
    const [list] = await observer.transport.exchange([
      48,
      1,
      {},
      "wamp.registration.list",
    ]);
    assertEquals(list, [50, 1, {}, [{ exact: [], prefix: [], wildcard: [] }]]);
    const [subs] = await observer.transport.exchange([
      48,
      2,
      {},
      "wamp.subscription.list",
    ]);
    assertEquals(subs, [50, 2, {}, [{ exact: [], prefix: [], wildcard: [] }]]);
    assertEquals(router.stats().realms[0]!.sessions, 1);
  });
}

Deno.test("Session.onProtocolError() aborts with the wire layer's reason", async () => {
  await using router = testRouter();
  const { transport } = await joined(router);
  await transport.exchange([64, 1, {}, "com.example.held"]);
  transport.handler.onProtocolError("Invalid JSON: unexpected end of input");
  assertEquals(transport.take(), [[
    3,
    { message: "Invalid JSON: unexpected end of input" },
    PV,
  ]]);
  assertEquals(transport.closed, true);
  const other = await joined(router);
  const [error] = await other.transport.exchange([
    48,
    1,
    {},
    "com.example.held",
  ]);
  assertEquals(error?.[4], "wamp.error.no_such_procedure");
});

Deno.test("Session.onMessage() never mutates the incoming message", async () => {
  await using router = testRouter();
  const callee = await joined(router);
  const caller = await joined(router);
  await callee.transport.exchange([64, 1, { match: "prefix" }, "com.example"]);
  const call = [48, 1, { receive_progress: true }, "com.example.p", [1], {
    k: 1,
  }];
  const copy = structuredClone(call);
  caller.transport.deliver(call);
  assertEquals(call, copy);
  const publish = [16, 2, { exclude_me: false }, "com.example.t", [2]];
  const copy2 = structuredClone(publish);
  caller.transport.deliver(publish);
  assertEquals(publish, copy2);
});

Deno.test("Session.onMessage() keeps other sessions untouched after a violation", async () => {
  await using router = testRouter();
  const subscriber = await joined(router);
  const [subscribed] = await subscriber.transport.exchange([
    32,
    1,
    {},
    "com.example.t",
  ]);
  const bad = await joined(router);
  await bad.transport.exchange([1, "realm1", {}]);
  assertEquals(bad.transport.closed, true);
  const publisher = await joined(router);
  await publisher.transport.exchange([16, 1, {}, "com.example.t", ["still"]]);
  const events = subscriber.transport.take();
  assertEquals(events.length, 1);
  assertEquals(events[0]![1], subscribed![2]);
  assertEquals(events[0]![4], ["still"]);
});
