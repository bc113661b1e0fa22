/**
 * The HTTP bridge of one node publishes and calls into the whole cluster.
 */
import { assertEquals } from "../_helpers/assert.ts";
import {
  autobahnConnect,
  callees,
  clusterConfig,
  eventually,
  nextCall,
  startClusterNode,
  startNats,
} from "./_cluster.ts";

async function post(url: string, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

Deno.test("cluster: the HTTP bridge on node A publishes to and calls node B", async () => {
  await using nats = await startNats();
  const config = clusterConfig(nats.url, {
    paths: {
      push: { type: "publisher", realm: "realm1", role: "anonymous" },
      call: { type: "caller", realm: "realm1", role: "anonymous" },
    },
  });
  await using a = await startClusterNode(config);
  await using b = await startClusterNode(config);
  await using onB = await autobahnConnect(b.ws);
  const got = nextCall<[unknown[]]>();
  await onB.session.subscribe(
    "com.test.pushed",
    (args: unknown[]) => got.fn(args),
  );
  await onB.session.register(
    "com.test.double",
    (args: number[]) => args[0]! * 2,
  );
  await using watcher = await autobahnConnect(a.ws);
  await callees(watcher, "com.test.double", 1);
  await eventually(
    async () =>
      await watcher.session.call("wamp.subscription.lookup", [
        "com.test.pushed",
      ]) !== null,
    "subscription known on A",
  );

  const pushed = await post(`${a.url}/push`, {
    topic: "com.test.pushed",
    args: ["over http"],
  });
  assertEquals(pushed.status, 200);
  assertEquals((await got.next())[0], ["over http"]);
  const called = await post(`${a.url}/call`, {
    procedure: "com.test.double",
    args: [21],
  });
  assertEquals(called.status, 200);
  assertEquals(called.json.args, [42]);
});
