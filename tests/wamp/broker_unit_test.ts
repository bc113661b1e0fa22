/** Broker with fake peers and a fake gate: no realm, no router. */
import { assert, assertEquals, assertThrows } from "../_helpers/assert.ts";
import { Broker } from "../../lib/wamp/broker.ts";
import { WampError } from "../../lib/wamp/errors.ts";
import type { RealmBackplane } from "../../lib/wamp/routing.ts";
import { EventLog, FakeGate, FakePeer } from "./_helpers/fake_peer.ts";

function setup(backplane?: RealmBackplane<FakePeer>) {
  const gate = new FakeGate();
  const log = new EventLog();
  const broker = new Broker<FakePeer>({
    gate,
    events: log,
    ...(backplane ? { backplane: () => backplane } : {}),
  });
  return { gate, log, broker };
}

function subscribe(broker: Broker<FakePeer>, peer: FakePeer, topic: string) {
  broker.subscribe(peer, [32, 1, {}, topic]);
  const [reply] = peer.take();
  assertEquals(reply?.[0], 33);
  return reply![2] as number;
}

Deno.test("Broker delivers one EVENT array to every subscriber of a subscription", () => {
  const { broker } = setup();
  const a = new FakePeer(1);
  const b = new FakePeer(2);
  const publisher = new FakePeer(3);
  const id = subscribe(broker, a, "com.t");
  assertEquals(subscribe(broker, b, "com.t"), id);
  broker.publish(publisher, [16, 7, {}, "com.t", [1], { k: "v" }]);
  const [ea] = a.take();
  const [eb] = b.take();
  assertEquals(ea?.slice(0, 2), [36, id]);
  assertEquals(ea?.slice(3), [{}, [1], { k: "v" }]);
  assert(ea === eb, "the same array object is shared");
  assertEquals(publisher.take(), []);
});

Deno.test("Broker keeps a per-peer index and drops it with removePeer()", () => {
  const { broker, log } = setup();
  const a = new FakePeer(1);
  const id1 = subscribe(broker, a, "com.one");
  const id2 = subscribe(broker, a, "com.two");
  assertEquals([...broker.subscriptionsOf(a)].map((s) => s.id), [id1, id2]);
  broker.removePeer(a);
  assertEquals(broker.subscriptionsOf(a).size, 0);
  assertEquals(broker.list().exact, []);
  assertEquals(log.events.map((e) => e[0]), [
    "subscription.create",
    "subscribe",
    "subscription.create",
    "subscribe",
    "unsubscribe",
    "subscription.delete",
    "unsubscribe",
    "subscription.delete",
  ]);
});

Deno.test("Broker asks the gate and answers not_authorized when it refuses", () => {
  const { broker, gate } = setup();
  gate.decide = () => ({ allow: false, disclose: false, cache: false });
  const a = new FakePeer(1);
  const error = assertThrows(
    () => broker.subscribe(a, [32, 1, {}, "com.t"]),
    WampError,
  );
  assertEquals(error.uri, "wamp.error.not_authorized");
});

Deno.test("Broker drops an asynchronous decision for a peer that left", async () => {
  const { broker, gate } = setup();
  const decided = Promise.withResolvers<
    { allow: boolean; disclose: boolean; cache: boolean }
  >();
  gate.decide = () => decided.promise;
  const a = new FakePeer(1);
  broker.subscribe(a, [32, 1, {}, "com.t"]);
  gate.gone.add(a);
  decided.resolve({ allow: true, disclose: false, cache: false });
  await decided.promise;
  await Promise.resolve();
  assertEquals(a.take(), []);
  assertEquals(broker.list().exact, []);
});

Deno.test("Broker discloses the publisher only when the gate's decision says so", () => {
  const { broker, gate } = setup();
  const sub = new FakePeer(1);
  const pub = new FakePeer(2, { authid: "p", authrole: "r" });
  subscribe(broker, sub, "com.t");
  broker.publish(pub, [16, 1, { disclose_me: true }, "com.t"]);
  assertEquals(sub.take()[0]?.[3], {});
  gate.decide = () => ({ allow: true, disclose: true, cache: false });
  broker.publish(pub, [16, 2, {}, "com.t"]);
  assertEquals(sub.take()[0]?.[3], {
    publisher: 2,
    publisher_authid: "p",
    publisher_authrole: "r",
  });
});

Deno.test("Broker hands each publication to the backplane after local delivery", () => {
  const seen: unknown[][] = [];
  const order: string[] = [];
  const backplane: RealmBackplane<FakePeer> = {
    published: (peer, topic, options, details, payload) => {
      order.push("backplane");
      seen.push([peer.id, topic, options, details, payload]);
    },
    publishedInternal: (topic, args) => seen.push(["internal", topic, args]),
    checkRegister: () => {},
    routeCall: () => false,
    cancel: () => {},
    left: () => {},
  };
  const { broker } = setup(backplane);
  const sub = new FakePeer(1, {});
  sub.send = () => order.push("local");
  broker.subscribe(sub, [32, 1, {}, "com.t"]);
  broker.publish(new FakePeer(2), [16, 1, { exclude: [9] }, "com.t", ["x"]]);
  broker.publishInternal("wamp.session.on_join", [{}]);
  assertEquals(order, ["local", "local", "backplane"]);
  assertEquals(seen, [
    [2, "com.t", { exclude: [9] }, {}, [["x"]]],
    ["internal", "wamp.session.on_join", [{}]],
  ]);
});

Deno.test("Broker.removeSubscriber() finds the subscriber by id and revokes when it can", () => {
  const { broker } = setup();
  const a = new FakePeer(5, { features: { subscriberRevocation: true } });
  const id = subscribe(broker, a, "com.t");
  broker.removeSubscriber(id, 5, "wamp.close.x");
  assertEquals(a.take(), [[35, 0, {
    subscription: id,
    reason: "wamp.close.x",
  }]]);
  assertThrows(() => broker.removeSubscriber(id, 5), WampError);
});
