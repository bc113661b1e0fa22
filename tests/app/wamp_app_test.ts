import { fileURLToPath } from "node:url";
import { hostNode } from "../../lib/node/mod.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { autobahnOpen, nodeConfig } from "./_autobahn.ts";

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

Deno.test("wamp() publishes from the app to an autobahn-js subscriber", async () => {
  await using node = await startNode();
  await using client = await autobahnOpen(wsUrl(node.url));
  const received = Promise.withResolvers<unknown[]>();
  await client.session.subscribe(
    "com.test.news",
    (args: unknown[]) => received.resolve(args),
  );
  const response = await fetch(node.url + "/publish?text=hello");
  assertEquals(typeof (await response.json()).ok, "number");
  assertEquals(await received.promise, ["hello"]);
});
