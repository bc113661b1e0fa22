import { hostNode } from "../../lib/node/mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { webNodeConfig } from "../_helpers/config.ts";
import { post } from "./_helpers.ts";

Deno.test("hostNode() mounts publisher, caller and webhook paths from a Crossbar config", async () => {
  await using node = await hostNode(webNodeConfig({
    push: { type: "publisher", realm: "realm1", role: "anonymous" },
    call: {
      type: "caller",
      realm: "realm1",
      role: "anonymous",
      options: { post_body_limit: 4096 },
    },
    hook: {
      type: "webhook",
      realm: "realm1",
      role: "anonymous",
      options: { topic: "com.example.hook" },
    },
  }));
  const pushed = await post(`${node.url}/push`, { topic: "com.example.t" });
  assertEquals(pushed.status, 200);
  assert(typeof (pushed.json as { id: unknown }).id === "number");
  const counted = await post(`${node.url}/call`, {
    procedure: "wamp.session.count",
  });
  assertEquals(counted.status, 200, counted.text);
  const [count] = (counted.json as { args: number[] }).args;
  assert(typeof count === "number" && count >= 1, counted.text);
  const big = await post(`${node.url}/call`, {
    procedure: "wamp.session.count",
    args: ["x".repeat(5000)],
  });
  assertEquals(big.status, 413);
  const hooked = await post(`${node.url}/hook`, "raw");
  assertEquals([hooked.status, hooked.text], [202, "OK"]);
});
