/**
 * Cluster failures over a real nats-server: a node killed with SIGKILL
 * while calls are in flight, and a NATS outage with recovery.
 */
import { connect } from "@nats-io/transport-node";
import { encode as pack } from "@msgpack/msgpack";
import { assert, assertEquals } from "../_helpers/assert.ts";
import {
  autobahnConnect,
  callees,
  clusterConfig,
  errorUri,
  FAILURE_TIMEOUT_MS,
  HOST_LINK_MODES,
  hostLinks,
  nextCall,
  startClusterNode,
  startNats,
  within,
} from "./_cluster.ts";

// deno-lint-ignore no-explicit-any -- autobahn-js ships no types
type Handler = (args: any[], kwargs: any, details: any) => unknown;

for (const { hostLinks: on, label } of HOST_LINK_MODES) {
  Deno.test(`cluster (${label}): calls in flight to a node killed with SIGKILL fail with wamp.error.canceled`, async () => {
    await using nats = await startNats();
    const config = clusterConfig(nats.url, hostLinks(on));
    await using a = await startClusterNode(config);
    await using c = await startClusterNode(config);
    const b = await startClusterNode(config);
    await using _b = b;
    const callee = await autobahnConnect(b.ws);
    const invoked = nextCall<[]>();
    await callee.session.register(
      "com.test.hang",
      (() => {
        invoked.fn();
        return new Promise(() => {});
      }) as Handler,
    );
    await callee.session.register("com.test.gone", () => "B");
    await using callerA = await autobahnConnect(a.ws);
    await using callerC = await autobahnConnect(c.ws);
    await callees(callerA, "com.test.hang", 1);
    await callees(callerC, "com.test.hang", 1);
    const left = nextCall<[number]>();
    await callerA.session.subscribe(
      "wamp.session.on_leave",
      ([id]: [number]) => left.fn(id),
    );

    const calls = [
      ...Array.from({ length: 3 }, () => callerA.session.call("com.test.hang")),
      ...Array.from({ length: 3 }, () => callerC.session.call("com.test.hang")),
    ].map((p) => p.then(() => "resolved", (e: unknown) => errorUri(e)));
    for (let i = 0; i < 6; i++) await invoked.next();
    const calleeId = callee.session.id;
    const killedAt = performance.now();
    b.cli.kill("SIGKILL");
    const outcomes = await within(
      Promise.all(calls),
      "every caller gets an error",
      FAILURE_TIMEOUT_MS * 5,
    );
    const took = performance.now() - killedAt;
    assertEquals(outcomes, Array(6).fill("wamp.error.canceled"));
    assert(took < FAILURE_TIMEOUT_MS * 5, `detected after ${took} ms`);
    // its registrations are gone cluster-wide, with meta events
    const [gone] = await left.next();
    assertEquals(gone, calleeId);
    await callees(callerA, "com.test.gone", 0);
    const missing = await callerC.session.call("com.test.gone").then(
      () => undefined,
      (e: unknown) => errorUri(e),
    );
    assertEquals(missing, "wamp.error.no_such_procedure");
  });
}

Deno.test("cluster: a NATS outage keeps local routing, fails cross-node calls fast and resynchronises without duplicates", async () => {
  const first = await startNats();
  const port = first.port;
  const config = clusterConfig(first.url);
  await using a = await startClusterNode(config);
  await using b = await startClusterNode(config);
  await using onA = await autobahnConnect(a.ws);
  await using onB = await autobahnConnect(b.ws);
  await onA.session.register("com.test.shared", () => "A", {
    invoke: "roundrobin",
  });
  await onB.session.register("com.test.shared", () => "B", {
    invoke: "roundrobin",
  });
  await onB.session.register("com.test.remote", () => "B");
  await onA.session.register("com.test.local", () => "A");
  await callees(onA, "com.test.shared", 2);
  await callees(onA, "com.test.remote", 1);

  await first.close();
  await a.cli.waitForLine(/Lost the NATS connection/);
  // local routing works; the shared procedure falls back to the local callee
  assertEquals(await onA.session.call("com.test.local"), "A");
  assertEquals(await onA.session.call("com.test.shared"), "A");
  assertEquals(await onA.session.call("com.test.shared"), "A");
  // a procedure only on B fails at once with a clear error
  const failed = await onA.session.call("com.test.remote").then(
    () => undefined,
    (e: unknown) => e as { error: string; args: string[] },
  );
  assert(failed !== undefined);
  assert(
    ["wamp.error.canceled", "wamp.error.no_such_procedure"].includes(
      failed.error,
    ),
    failed.error,
  );
  // B changes its registrations during the outage
  await onB.session.register("com.test.later", () => "B later");

  await using second = await startNats(port);
  await a.cli.waitForLine(/NATS connection back/);
  await callees(onA, "com.test.later", 1);
  await callees(onA, "com.test.remote", 1);
  await callees(onA, "com.test.shared", 2);
  await callees(onB, "com.test.shared", 2);
  assertEquals(await onA.session.call("com.test.later"), "B later");
  assertEquals(await onA.session.call("com.test.remote"), "B");
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) {
    seen.add(await onA.session.call("com.test.shared") as string);
  }
  assertEquals([...seen].sort(), ["A", "B"]);
  assert(second.port === port);
});

Deno.test("cluster: malformed messages on the cluster's NATS subjects are dropped", async () => {
  await using nats = await startNats();
  const config = clusterConfig(nats.url);
  await using a = await startClusterNode(config);
  await using b = await startClusterNode(config);
  const nc = await connect({ servers: nats.url });
  for (
    const subject of [
      `crossbar.test.node.${a.member}`,
      "crossbar.test.chg",
      "crossbar.test.hb",
    ]
  ) {
    nc.publish(subject, new Uint8Array([0xc1, 0xff, 0x00]));
    nc.publish(subject, pack(["call", "realm1", 42]));
    nc.publish(subject, pack(["ev", "realm1", null, null, null, null]));
    nc.publish(subject, pack({ not: "a list" }));
  }
  await nc.flush();
  await a.cli.waitForLine(/dropped a malformed/);
  await using callee = await autobahnConnect(b.ws);
  await callee.session.register("com.test.still", () => "fine");
  await using caller = await autobahnConnect(a.ws);
  await callees(caller, "com.test.still", 1);
  assertEquals(await caller.session.call("com.test.still"), "fine");
  await nc.close();
});
