/**
 * Cluster RPC over a real nats-server: a caller on node A, callees on B
 * (and C): results, errors with args/kwargs, progressive results, cancel,
 * timeouts, shared registrations and `single` conflicts.
 */
import autobahn from "autobahn";
import { assertEquals } from "../_helpers/assert.ts";
import {
  autobahnConnect,
  callees,
  clusterConfig,
  errorUri,
  eventually,
  HOST_LINK_MODES,
  hostLinks,
  nextCall,
  RawWampClient,
  startClusterNode,
  startNats,
  within,
} from "./_cluster.ts";

// deno-lint-ignore no-explicit-any -- autobahn-js ships no types
type Handler = (args: any[], kwargs: any, details: any) => unknown;

for (const { hostLinks: on, label } of HOST_LINK_MODES) {
  Deno.test(`cluster (${label}): a caller on node A reaches callees on node B (result, error, progress, cancel, timeout)`, async () => {
    await using nats = await startNats();
    const config = clusterConfig(nats.url, hostLinks(on));
    await using a = await startClusterNode(config);
    await using b = await startClusterNode(config);
    await using callee = await autobahnConnect(b.ws, { serializer: "msgpack" });
    await using caller = await autobahnConnect(a.ws);
    await callee.session.register(
      "com.test.add",
      ((args, kwargs, details) =>
        new autobahn.Result([args[0] + args[1]], {
          echo: kwargs,
          caller: details.caller,
        })) as Handler,
    );
    await callee.session.register(
      "com.test.fail",
      (() => {
        throw new autobahn.Error("com.test.oops", ["bad input"], { code: 7 });
      }) as Handler,
    );
    await callee.session.register(
      "com.test.count",
      ((args, _kwargs, details) => {
        for (let i = 1; i <= 3; i++) details.progress([i]);
        return `done after ${args[0]}`;
      }) as Handler,
    );
    await callee.session.register(
      "com.test.slow",
      (() => new Promise(() => {})) as Handler,
    );
    await callees(caller, "com.test.slow", 1);

    const result = await caller.session.call("com.test.add", [2, 40], {
      k: "ü",
    });
    assertEquals(result.args, [42]);
    assertEquals(result.kwargs, {
      echo: { k: "ü" },
      caller: caller.session.id,
    });

    const error = await caller.session.call("com.test.fail").then(
      () => undefined,
      (e: unknown) => e,
    );
    assertEquals(errorUri(error), "com.test.oops");
    assertEquals((error as { args: unknown[] }).args, ["bad input"]);
    assertEquals((error as { kwargs: unknown }).kwargs, { code: 7 });

    const progress: unknown[] = [];
    const call = caller.session.call("com.test.count", [3], {}, {
      receive_progress: true,
    });
    call.onprogress = (value: unknown) => progress.push(value);
    assertEquals(await within(call, "progressive call"), "done after 3");
    assertEquals(progress, [1, 2, 3]);

    const timedOut = await caller.session.call("com.test.slow", [], {}, {
      timeout: 100,
    }).then(() => undefined, (e: unknown) => e);
    assertEquals(errorUri(timedOut), "wamp.error.timeout");

    const missing = await caller.session.call("com.test.nothing").then(
      () => undefined,
      (e: unknown) => e,
    );
    assertEquals(errorUri(missing), "wamp.error.no_such_procedure");
  });

  Deno.test(`cluster (${label}): cancel from node A interrupts the callee on node B`, async () => {
    await using nats = await startNats();
    const config = clusterConfig(nats.url, hostLinks(on));
    await using a = await startClusterNode(config);
    await using b = await startClusterNode(config);
    const { client: callee } = await RawWampClient.joined(
      b.ws,
      "wamp.2.msgpack",
    );
    await using _callee = callee;
    callee.send([64, 1, {}, "com.test.killable"]);
    assertEquals((await callee.next())[0], 65);
    const { client: caller } = await RawWampClient.joined(a.ws);
    await using _caller = caller;
    await using watcher = await autobahnConnect(a.ws);
    await callees(watcher, "com.test.killable", 1);

    // kill: INTERRUPT on B, the callee's ERROR comes back to A
    caller.send([48, 7, {}, "com.test.killable", ["x"]]);
    const invocation = await callee.next();
    assertEquals(invocation[0], 68);
    assertEquals(invocation[4], ["x"]);
    caller.send([49, 7, { mode: "kill" }]);
    const interrupt = await callee.next();
    assertEquals(interrupt[0], 69);
    assertEquals(interrupt[1], invocation[1]);
    assertEquals(interrupt[2], { mode: "kill" });
    callee.send([8, 68, invocation[1], {}, "wamp.error.canceled", ["stopped"]]);
    const killed = await caller.next();
    assertEquals(killed.slice(0, 3), [8, 48, 7]);
    assertEquals(killed[4], "wamp.error.canceled");
    assertEquals(killed[5], ["stopped"]);

    // killnowait: the caller gets the error at once, the callee an INTERRUPT
    caller.send([48, 8, {}, "com.test.killable", []]);
    const second = await callee.next();
    caller.send([49, 8, { mode: "killnowait" }]);
    const answered = await caller.next();
    assertEquals(answered.slice(0, 3), [8, 48, 8]);
    assertEquals(answered[4], "wamp.error.canceled");
    const interrupt2 = await callee.next();
    assertEquals(interrupt2[0], 69);
    assertEquals(interrupt2[1], second[1]);

    // skip: the caller gets the error at once, the callee hears nothing and
    // its late YIELD goes nowhere
    caller.send([48, 9, {}, "com.test.killable", []]);
    const third = await callee.next();
    assertEquals(third[0], 68);
    caller.send([49, 9, { mode: "skip" }]);
    const skipped = await caller.next();
    assertEquals(skipped.slice(0, 3), [8, 48, 9]);
    assertEquals(skipped[4], "wamp.error.canceled");
    callee.send([70, third[1], {}, ["late"]]);
    caller.send([48, 10, {}, "wamp.session.count", []]);
    const after = await caller.next();
    assertEquals(after.slice(0, 2), [50, 10]);
  });

  Deno.test(`cluster (${label}): shared registrations spread over nodes; single conflicts are refused cluster-wide`, async () => {
    await using nats = await startNats();
    const config = clusterConfig(nats.url, hostLinks(on));
    await using a = await startClusterNode(config);
    await using b = await startClusterNode(config);
    await using c = await startClusterNode(config);
    await using onA = await autobahnConnect(a.ws);
    await using onB = await autobahnConnect(b.ws);
    await using onC = await autobahnConnect(c.ws);
    await using caller = await autobahnConnect(a.ws);
    for (
      const [name, client] of [["A", onA], ["B", onB], ["C", onC]] as const
    ) {
      await client.session.register(
        "com.test.who",
        (() => name) as Handler,
        { invoke: "roundrobin" },
      );
    }
    await callees(caller, "com.test.who", 3);
    const seen = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const who = await caller.session.call("com.test.who") as string;
      seen.set(who, (seen.get(who) ?? 0) + 1);
    }
    assertEquals([...seen.keys()].sort(), ["A", "B", "C"]);
    for (const n of seen.values()) assertEquals(n, 10);

    // a policy that differs from the cluster's is refused on another node
    await using other = await autobahnConnect(b.ws);
    const conflict = await other.session.register("com.test.who", () => "x", {
      invoke: "random",
    }).then(() => undefined, (e: unknown) => e);
    assertEquals(
      errorUri(conflict),
      "wamp.error.procedure_exists_with_different_invocation_policy",
    );

    await onB.session.register("com.test.only", () => "B");
    await callees(onC, "com.test.only", 1);
    const refused = await onC.session.register("com.test.only", () => "C").then(
      () => undefined,
      (e: unknown) => e,
    );
    assertEquals(errorUri(refused), "wamp.error.procedure_already_exists");
    assertEquals(await caller.session.call("com.test.only"), "B");
  });

  Deno.test(`cluster (${label}): the meta API counts sessions and callees on every node`, async () => {
    await using nats = await startNats();
    const config = clusterConfig(nats.url, hostLinks(on));
    await using a = await startClusterNode(config);
    await using b = await startClusterNode(config);
    await using s1 = await autobahnConnect(a.ws);
    await using s2 = await autobahnConnect(b.ws);
    await using s3 = await autobahnConnect(b.ws, { authid: "third" });
    await eventually(
      async () => await s1.session.call("wamp.session.count") === 3,
      "3 sessions",
    );
    const list = await s2.session.call("wamp.session.list") as number[];
    assertEquals(
      [...list].sort(),
      [s1.session.id, s2.session.id, s3.session.id].sort(),
    );
    const details = await s1.session.call("wamp.session.get", [s3.session.id]);
    assertEquals(details.session, s3.session.id);
    assertEquals(details.authrole, "anonymous");
    assertEquals(details.transport.type, "websocket");

    // meta events of node B reach a subscriber on node A
    const joined = nextCall<[Record<string, unknown>]>();
    await s1.session.subscribe(
      "wamp.session.on_join",
      ([info]: [Record<string, unknown>]) => joined.fn(info),
    );
    await eventually(async () => {
      const id = await s2.session.call("wamp.subscription.lookup", [
        "wamp.session.on_join",
      ]);
      return id !== null;
    }, "node B knows the on_join subscription");
    await using fourth = await autobahnConnect(b.ws);
    const [info] = await joined.next();
    assertEquals(info.session, fourth.session.id);
    assertEquals(
      await s2.session.call("wamp.session.count", [["anonymous"]]),
      4,
    );

    // wamp.session.kill on node A ends a session on node B
    const s3id = s3.session.id;
    await s1.session.call("wamp.session.kill", [s3id], {
      reason: "com.test.bye",
    });
    const closed = await within(s3.closed, "the killed session closes");
    assertEquals(closed.details.reason, "com.test.bye");
    await eventually(
      async () => await s1.session.call("wamp.session.count") === 3,
      "3 sessions after the kill",
    );
    const missing = await s1.session.call("wamp.session.kill", [s3id]).then(
      () => undefined,
      (e: unknown) => errorUri(e),
    );
    assertEquals(missing, "wamp.error.no_such_session");
  });
}
