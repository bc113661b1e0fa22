/**
 * Retained events across a cluster over a real nats-server, as if one
 * router kept them: a node that joins later (or comes back) gets the
 * retained events published before, with their filters; a newer retained
 * event replaces the older one on every node.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import {
  type AutobahnClient,
  autobahnConnect,
  clusterConfig,
  eventually,
  nextCall,
  startClusterNode,
  startNats,
  within,
} from "./_cluster.ts";

type Event = [unknown[], Record<string, unknown>, Record<string, unknown>];

/** `/alice`: sessions with authid "alice" and role "quiet". */
const ALICE_PATH = {
  alice: {
    type: "websocket",
    auth: { anonymous: { type: "static", role: "quiet", authid: "alice" } },
  },
};

/**
 * Subscribes with `get_retained` and returns the events received before
 * a live marker published on `marker`'s node after the subscription: the
 * retained events come right after SUBSCRIBED, so the marker ends them.
 */
async function retainedOf(
  client: AutobahnClient,
  marker: AutobahnClient,
  topic: string,
  match = "exact",
): Promise<Event[]> {
  const events: Event[] = [];
  const end = Promise.withResolvers<void>();
  const markerTopic = `${topic}.zz.marker`;
  const sub = await client.session.subscribe(
    topic,
    (a: unknown[], k: Record<string, unknown>, d: Record<string, unknown>) => {
      if ((d.topic ?? topic) === markerTopic) end.resolve();
      else events.push([a, k, d]);
    },
    { get_retained: true, match },
  );
  const markerSub = match === "exact"
    ? await client.session.subscribe(markerTopic, () => end.resolve())
    : undefined;
  await marker.session.publish(markerTopic, [], {}, {
    acknowledge: true,
    exclude_me: false,
  });
  await within(end.promise, `the marker after ${topic}'s retained events`);
  await client.session.unsubscribe(sub);
  if (markerSub !== undefined) await client.session.unsubscribe(markerSub);
  return events;
}

Deno.test("cluster: a node that joins later gets the retained events; a newer one replaces the older on every node", async () => {
  await using nats = await startNats();
  const config = clusterConfig(nats.url, { paths: ALICE_PATH });
  await using a = await startClusterNode(config);
  await using pub = await autobahnConnect(a.ws);
  const opts = { retain: true, acknowledge: true };
  await pub.session.publish("com.ret.a", ["v1"], { n: 1 }, opts);
  await pub.session.publish("com.ret.only", ["for alice"], {}, {
    ...opts,
    eligible_authid: ["alice"],
  });
  await pub.session.publish("com.ret.p.x", ["deep"], {}, opts);

  // C starts after the publications; it has them once it has joined.
  await using c = await startClusterNode(config);
  await using anon = await autobahnConnect(c.ws);
  await using alice = await autobahnConnect(
    c.url.replace("http:", "ws:") + "/alice",
  );
  assertEquals(alice.welcome.authid, "alice");

  const onC = await retainedOf(anon, anon, "com.ret.a");
  assertEquals(onC.length, 1);
  const [args, kwargs, details] = onC[0]!;
  assertEquals(args, ["v1"]);
  assertEquals(kwargs, { n: 1 });
  assertEquals(details.retained, true);
  assertEquals(details.publisher, pub.session.id);

  // Prefix subscriptions get every retained event under them, filtered.
  const anonAll = await retainedOf(anon, anon, "com.ret", "prefix");
  assertEquals(
    anonAll.map(([a, , d]) => [d.topic, a]).sort(),
    [["com.ret.a", ["v1"]], ["com.ret.p.x", ["deep"]]],
  );
  const aliceAll = await retainedOf(alice, anon, "com.ret", "prefix");
  assertEquals(
    aliceAll.map(([a, , d]) => [d.topic, a]).sort(),
    [
      ["com.ret.a", ["v1"]],
      ["com.ret.only", ["for alice"]],
      ["com.ret.p.x", ["deep"]],
    ],
  );

  // A newer retained event published on C replaces A's older one on A too.
  const live = nextCall<[unknown[]]>();
  await pub.session.subscribe("com.ret.a", (a: unknown[]) => live.fn(a));
  // A's subscription must be known on C before C publishes to it.
  await eventually(
    async () =>
      await anon.session.call("wamp.subscription.lookup", ["com.ret.a"]) !==
        null,
    "A's subscription seen from C",
  );
  await anon.session.publish("com.ret.a", ["v2"], {}, opts);
  assertEquals((await live.next())[0], ["v2"]);
  const onA = await retainedOf(pub, pub, "com.ret.a");
  assertEquals(onA.map(([a]) => a), [["v2"]]);

  // A node that joins now gets the newer one, not the older.
  await using d = await startClusterNode(config);
  await using onD = await autobahnConnect(d.ws);
  const fromD = await retainedOf(onD, onD, "com.ret.a");
  assertEquals(fromD.map(([a]) => a), [["v2"]]);
  assert(fromD[0]![2].retained === true);
});

Deno.test("cluster: a retained event published while a node was down reaches it when it is back", async () => {
  await using nats = await startNats();
  const config = clusterConfig(nats.url);
  await using a = await startClusterNode(config);
  const c1 = await startClusterNode(config);
  await using pub = await autobahnConnect(a.ws);
  await pub.session.publish("com.down", ["before"], {}, {
    retain: true,
    acknowledge: true,
  });
  await c1[Symbol.asyncDispose]();
  await pub.session.publish("com.down", ["while down"], {}, {
    retain: true,
    acknowledge: true,
  });
  // More than one NATS message's worth: fetched page by page.
  const filler = "x".repeat(4096);
  await Promise.all(
    Array.from(
      { length: 200 },
      (_, i) =>
        pub.session.publish(`com.bulk.t${i}`, [i, filler], {}, {
          retain: true,
          acknowledge: true,
        }),
    ),
  );
  await using c2 = await startClusterNode(config);
  await using sub = await autobahnConnect(c2.ws);
  const got = await retainedOf(sub, sub, "com.down");
  assertEquals(got.map(([a]) => a), [["while down"]]);
  const bulk = await retainedOf(sub, sub, "com.bulk", "prefix");
  assertEquals(
    bulk.map(([a]) => a[0]).sort((x, y) => Number(x) - Number(y)),
    Array.from({ length: 200 }, (_, i) => i),
  );
});

Deno.test("cluster: retained events published during a NATS outage reach the other nodes when NATS is back", async () => {
  const first = await startNats();
  const port = first.port;
  const config = clusterConfig(first.url);
  await using a = await startClusterNode(config);
  await using c = await startClusterNode(config);
  await using onA = await autobahnConnect(a.ws);
  await using onC = await autobahnConnect(c.ws);

  await first.close();
  await a.cli.waitForLine(/Lost the NATS connection/);
  await c.cli.waitForLine(/Lost the NATS connection/);
  const opts = { retain: true, acknowledge: true };
  await onA.session.publish("com.outage.a", ["from A"], {}, opts);
  await onC.session.publish("com.outage.c", ["from C"], {}, opts);

  await using _second = await startNats(port);
  await a.cli.waitForLine(/NATS connection back/);
  await c.cli.waitForLine(/NATS connection back/);
  await eventually(
    async () =>
      JSON.stringify(
        (await retainedOf(onC, onC, "com.outage", "prefix")).map(([a]) => a)
          .sort(),
      ) === JSON.stringify([["from A"], ["from C"]]),
    "both retained events on C",
  );
  await eventually(
    async () =>
      (await retainedOf(onA, onA, "com.outage", "prefix")).length === 2,
    "both retained events on A",
  );
});

Deno.test("cluster: autobahn-python joining a later node gets the retained event published with autobahn-js", async () => {
  await using nats = await startNats();
  const config = clusterConfig(nats.url);
  await using a = await startClusterNode(config);
  await using pub = await autobahnConnect(a.ws, { serializer: "msgpack" });
  await pub.session.publish("com.ret.py", ["kept", 1], { k: "ü" }, {
    retain: true,
    acknowledge: true,
  });
  await using b = await startClusterNode(config);
  const script = new URL("./_autobahn_python_retained.py", import.meta.url);
  const output = await within(
    new Deno.Command("/usr/bin/python3", {
      args: [script.pathname, b.ws, "com.ret.py"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output(),
    "autobahn-python's retained event",
    30_000,
  );
  const line = new TextDecoder().decode(output.stdout).trim();
  assert(line !== "", new TextDecoder().decode(output.stderr));
  assertEquals(JSON.parse(line), {
    args: ["kept", 1],
    kwargs: { k: "ü" },
    retained: true,
  });
});
