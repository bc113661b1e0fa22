/** Dealer with fake peers and a fake gate: no realm, no router. */
import { assertEquals, assertThrows } from "../_helpers/assert.ts";
import { Dealer } from "../../lib/wamp/dealer.ts";
import { WampError } from "../../lib/wamp/errors.ts";
import type { RealmBackplane } from "../../lib/wamp/routing.ts";
import { EventLog, FakeGate, FakePeer } from "./_helpers/fake_peer.ts";

function setup(backplane?: Partial<RealmBackplane<FakePeer>>) {
  const gate = new FakeGate();
  const log = new EventLog();
  const full: RealmBackplane<FakePeer> = {
    published: () => {},
    publishedInternal: () => {},
    checkRegister: () => {},
    routeCall: () => false,
    cancel: () => {},
    left: () => {},
    ...backplane,
  };
  const dealer = new Dealer<FakePeer>({
    gate,
    events: log,
    ...(backplane ? { backplane: () => full } : {}),
  });
  return { gate, log, dealer };
}

function register(dealer: Dealer<FakePeer>, peer: FakePeer, uri: string) {
  dealer.register(peer, [64, 1, {}, uri]);
  const [reply] = peer.take();
  assertEquals(reply?.[0], 65);
  return reply![2] as number;
}

Deno.test("Dealer routes CALL → INVOCATION → YIELD → RESULT between fake peers", () => {
  const { dealer } = setup();
  const callee = new FakePeer(1);
  const caller = new FakePeer(2);
  const registration = register(dealer, callee, "com.p");
  dealer.call(caller, [48, 11, {}, "com.p", [2, 3]]);
  const [invocation] = callee.take();
  assertEquals(invocation?.slice(2), [registration, {}, [2, 3]]);
  assertEquals(dealer.pendingOf(caller), { calls: 1, invocations: 0 });
  assertEquals(dealer.pendingOf(callee), { calls: 0, invocations: 1 });
  dealer.yield(callee, [70, invocation![1] as number, {}, [5]]);
  assertEquals(caller.take(), [[50, 11, {}, [5]]]);
  assertEquals(dealer.pendingOf(caller), { calls: 0, invocations: 0 });
});

Deno.test("Dealer numbers invocations per callee from 1", () => {
  const { dealer } = setup();
  const a = new FakePeer(1);
  const b = new FakePeer(2);
  register(dealer, a, "com.a");
  register(dealer, b, "com.b");
  const caller = new FakePeer(3);
  dealer.call(caller, [48, 1, {}, "com.a"]);
  dealer.call(caller, [48, 2, {}, "com.a"]);
  dealer.call(caller, [48, 3, {}, "com.b"]);
  assertEquals(a.take().map((m) => m[1]), [1, 2]);
  assertEquals(b.take().map((m) => m[1]), [1]);
});

Deno.test("Dealer.removePeer() cancels a leaving callee's calls and drops its registrations", () => {
  const { dealer, log } = setup();
  const callee = new FakePeer(1);
  const caller = new FakePeer(2);
  const id = register(dealer, callee, "com.p");
  dealer.call(caller, [48, 4, {}, "com.p"]);
  dealer.removePeer(callee);
  const [error] = caller.take();
  assertEquals(error?.slice(0, 5), [8, 48, 4, {}, "wamp.error.canceled"]);
  assertEquals(dealer.registrationsOf(callee).size, 0);
  assertEquals(dealer.find("com.p"), undefined);
  assertEquals(log.events, [
    ["registration.create", 1, id],
    ["register", 1, id],
    ["unregister", 1, id],
    ["registration.delete", 1, id],
  ]);
});

Deno.test("Dealer interrupts a callee that announced call_canceling", () => {
  const { dealer } = setup();
  const callee = new FakePeer(1, { features: { calleeCanCancel: true } });
  const caller = new FakePeer(2);
  register(dealer, callee, "com.p");
  dealer.call(caller, [48, 9, {}, "com.p"]);
  const [invocation] = callee.take();
  dealer.cancel(caller, [49, 9, { mode: "killnowait" }]);
  assertEquals(callee.take(), [[69, invocation![1], { mode: "killnowait" }]]);
  assertEquals(caller.take()[0]?.[4], "wamp.error.canceled");
});

Deno.test("Dealer lets the backplane take a call, refuse a registration and see cancels", () => {
  const taken: unknown[] = [];
  const cancels: unknown[] = [];
  const { dealer } = setup({
    routeCall: (caller, message, local) => {
      taken.push([caller.id, message[3], local?.uri ?? null]);
      return message[3] === "com.remote";
    },
    checkRegister: (_peer, uri) => {
      if (uri === "com.clash") {
        throw new WampError("wamp.error.procedure_already_exists");
      }
    },
    cancel: (caller, callId, mode) => cancels.push([caller.id, callId, mode]),
  });
  const caller = new FakePeer(2);
  dealer.call(caller, [48, 1, {}, "com.remote"]);
  assertEquals(caller.take(), []); // the backplane owns it now
  assertThrows(() => dealer.call(caller, [48, 2, {}, "com.none"]), WampError);
  dealer.cancel(caller, [49, 1, {}]);
  assertEquals(cancels, [[2, 1, "killnowait"]]);
  const error = assertThrows(
    () => dealer.register(new FakePeer(3), [64, 1, {}, "com.clash"]),
    WampError,
  );
  assertEquals(error.uri, "wamp.error.procedure_already_exists");
  assertEquals(taken, [[2, "com.remote", null], [2, "com.none", null]]);
});
