/**
 * Cluster pub/sub over a real nats-server: events published on node A
 * reach subscribers on B and C with the WAMP options applied.
 */
import { assertEquals } from "../_helpers/assert.ts";
import {
  autobahnConnect,
  clusterConfig,
  eventually,
  HOST_LINK_MODES,
  hostLinks,
  nextCall,
  startClusterNode,
  startNats,
  subscribers,
  within,
} from "./_cluster.ts";

for (const { hostLinks: on, label } of HOST_LINK_MODES) {
  Deno.test(`cluster (${label}): events from node A reach subscribers on B and C with their options`, async () => {
    await using nats = await startNats();
    const config = clusterConfig(nats.url, hostLinks(on));
    await using a = await startClusterNode(config);
    await using b = await startClusterNode(config);
    await using c = await startClusterNode(config);
    await using pub = await autobahnConnect(a.ws);
    await using subB = await autobahnConnect(b.ws);
    await using subC = await autobahnConnect(c.ws);
    await using quiet = await autobahnConnect(c.ws, { authid: "q" });

    const exactB = nextCall<
      [unknown[], Record<string, unknown>, Record<string, unknown>]
    >();
    const prefixC = nextCall<
      [unknown[], Record<string, unknown>, Record<string, unknown>]
    >();
    const wildC = nextCall<
      [unknown[], Record<string, unknown>, Record<string, unknown>]
    >();
    await subB.session.subscribe(
      "com.test.ev",
      (a: unknown[], k: Record<string, unknown>, d: Record<string, unknown>) =>
        exactB.fn(a, k, d),
    );
    await subC.session.subscribe(
      "com.test",
      (a: unknown[], k: Record<string, unknown>, d: Record<string, unknown>) =>
        prefixC.fn(a, k, d),
      { match: "prefix" },
    );
    await subC.session.subscribe(
      "com..ev",
      (a: unknown[], k: Record<string, unknown>, d: Record<string, unknown>) =>
        wildC.fn(a, k, d),
      { match: "wildcard" },
    );
    await subscribers(pub, "com.test.ev", "exact", 1);
    await subscribers(pub, "com.test", "prefix", 1);
    await subscribers(pub, "com..ev", "wildcard", 1);

    await pub.session.publish("com.test.ev", [1, "x"], { k: true }, {
      acknowledge: true,
    });
    const [args, kwargs, details] = await exactB.next();
    assertEquals(args, [1, "x"]);
    assertEquals(kwargs, { k: true });
    assertEquals(details.publisher, pub.session.id);
    const [pargs, , pdetails] = await prefixC.next();
    assertEquals(pargs, [1, "x"]);
    assertEquals(pdetails.topic, "com.test.ev");
    const [wargs] = await wildC.next();
    assertEquals(wargs, [1, "x"]);

    // exclude by session id and eligible by authid, across nodes
    await pub.session.publish("com.test.ev", [2], {}, {
      exclude: [subB.session.id],
    });
    await pub.session.publish("com.test.ev", [2.5], {}, {
      eligible_authrole: ["nobody"],
    });
    await pub.session.publish("com.test.ev", [2.7], {}, {
      exclude_authrole: ["anonymous"],
    });
    await pub.session.publish("com.test.ev", [3], {}, {});
    assertEquals((await exactB.next())[0], [3]);
    assertEquals((await prefixC.next())[0], [2]);
    assertEquals((await prefixC.next())[0], [3]);
    await within(wildC.next(), "wildcard 2");
    await within(wildC.next(), "wildcard 3");

    // retained: a subscriber arriving later on C gets the last retained event
    await pub.session.publish("com.retained", ["kept"], {}, {
      retain: true,
      acknowledge: true,
    });
    await eventually(async () => {
      const late = nextCall<[unknown[]]>();
      const sub = await quiet.session.subscribe(
        "com.retained",
        (a: unknown[]) => late.fn(a),
        { get_retained: true },
      );
      const got = await Promise.race([
        late.next().then(([a]) => a),
        new Promise((r) => setTimeout(() => r(undefined), 200)),
      ]);
      await quiet.session.unsubscribe(sub);
      return JSON.stringify(got) === JSON.stringify(["kept"]);
    }, "retained event on C");
  });
}
