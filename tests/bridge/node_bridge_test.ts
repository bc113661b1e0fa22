import { hostNode } from "../../lib/node/mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { post } from "./_helpers.ts";

Deno.test("hostNode() mounts publisher, caller and webhook paths from a Crossbar config", async () => {
  await using node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        roles: [{
          name: "anonymous",
          permissions: [{
            uri: "",
            match: "prefix",
            allow: {
              call: true,
              register: true,
              publish: true,
              subscribe: true,
            },
          }],
        }],
      }],
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        paths: {
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
        },
      }],
    }],
  });
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
