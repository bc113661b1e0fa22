/**
 * autobahn-js 22 on Node 20 (npm `autobahn@22` over `ws`, installed outside
 * the repository by `ensureNodeAutobahn22()`), with a `Connection` that
 * names no serializers; and the cross-client case: a Python callee, a Node
 * caller. See `_autobahn22_node.cjs`.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import {
  autobahnNode,
  autobahnPython,
  reports,
  startInteropServer,
} from "./_interop.ts";

Deno.test("autobahn-js 22 on Node joins, calls, registers, publishes and subscribes with its default serializers", async () => {
  await using server = startInteropServer();
  await using node = await autobahnNode("checks", server.url);
  const [basic, disclose] = await reports(node, 2);
  // `ws` sends "wamp.2.json,wamp.2.msgpack,wamp.2.cbor" (no spaces).
  assertEquals(basic!.protocol, "wamp.2.json");
  assert(Number.isSafeInteger(basic!.session_id));
  assertEquals(basic!.echoed, [2 ** 53 - 1, "x"]);
  assertEquals(basic!.event, ["hi"]);
  const roles = basic!.roles as Record<string, { features: object }>;
  for (const role of ["broker", "dealer"]) {
    assertEquals(
      (roles[role]!.features as Record<string, unknown>)
        .payload_encryption_cryptobox,
      true,
      role,
    );
  }
  // disclose_me is honoured only where the role discloses callers.
  assertEquals(disclose!.anonymous, disclose!.anonymous_id);
  assertEquals(disclose!.sally_role, "frontend");
  assertEquals(disclose!.sally, null);
  await node.finish();
});

Deno.test("a Node autobahn-js 22 caller calls a procedure an autobahn-python callee registered", async () => {
  await using server = startInteropServer();
  await using python = autobahnPython("callee", server.url);
  const [ready] = await reports(python, 1);
  assertEquals(ready!.ready, true);
  await using node = await autobahnNode("caller", server.url);
  const [cross] = await reports(node, 1);
  assertEquals(
    cross!.greeting,
    `hello node from python (${ready!.session})`,
  );
  await node.finish();
  await python.finish();
});
