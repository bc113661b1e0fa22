/**
 * Watches a realm's state changes (joins, leaves, subscriptions,
 * registrations) by wrapping the realm's meta-event methods, which the
 * broker, dealer and realm call for every change whether or not the meta
 * API is enabled. The change is reported before the meta event goes out,
 * so other members know a registration before they hear of it.
 *
 * @module
 */
import type { Realm, RealmMember } from "../wamp/realm.ts";
import type { Subscription } from "../wamp/broker.ts";
import type { Registration } from "../wamp/dealer.ts";
import { isProxy } from "./_proxy.ts";
import type { StateOp } from "./_view.ts";

/**
 * Calls `onChange` with one {@link StateOp} per change of `realm`.
 *
 * @param realm The realm.
 * @param onChange The observer.
 */
export function observeRealm(
  realm: Realm,
  onChange: (op: StateOp) => void,
): void {
  const meta = realm.meta;
  const wrap = <A extends unknown[]>(
    name: keyof typeof meta,
    op: (...args: A) => StateOp | undefined,
  ) => {
    const original = (meta[name] as unknown as (...args: A) => void).bind(
      meta,
    );
    (meta as unknown as Record<string, unknown>)[name] = (...args: A) => {
      const change = op(...args);
      if (change !== undefined) onChange(change);
      original(...args);
    };
  };
  wrap("onJoin", joinOp);
  wrap("onLeave", (s: RealmMember) => ["l", s.id]);
  wrap(
    "onSubscribe",
    (s: RealmMember, sub: Subscription<RealmMember>) =>
      isProxy(s) ? undefined : subscribeOp(sub, s),
  );
  wrap(
    "onUnsubscribe",
    (s: RealmMember, sub: Subscription<RealmMember>) =>
      isProxy(s) ? undefined : ["U", sub.id, s.id],
  );
  wrap(
    "onRegister",
    (s: RealmMember, reg: Registration<RealmMember>) => registerOp(reg, s),
  );
  wrap(
    "onUnregister",
    (s: RealmMember, reg: Registration<RealmMember>) => ["D", reg.id, s.id],
  );
}

/** The operation that announces session `s`. */
export function joinOp(s: RealmMember): StateOp {
  return ["j", s.id, s.authid, s.authrole];
}

/** The operation that announces `s` as a subscriber of `sub`. */
export function subscribeOp(
  sub: Subscription<RealmMember>,
  s: RealmMember,
): StateOp {
  return ["S", sub.id, sub.uri, sub.match, s.id];
}

/** The operation that announces `s` as a callee of `reg`. */
export function registerOp(
  reg: Registration<RealmMember>,
  s: RealmMember,
): StateOp {
  return [
    "R",
    reg.id,
    reg.uri,
    reg.match,
    reg.invoke,
    Date.parse(reg.created),
    s.id,
  ];
}
