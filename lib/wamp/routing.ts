/**
 * The routing seam: where a realm's broker and dealer hand traffic to a
 * cluster backplane, so that sessions on several router processes (or
 * nodes) share one realm. Without a backplane every hook is a no-op and
 * routing is purely local — the behaviour of a single router.
 *
 * Two directions:
 *
 * 1. **Elsewhere** — {@link RealmBackplane}, implemented by the backplane
 *    and set on `Realm.backplane`. The broker and dealer call it after
 *    local delivery (publications), before creating a registration (to
 *    refuse one that clashes with a registration elsewhere), when a call
 *    may be served elsewhere, for a CANCEL of such a call, and when a
 *    session leaves.
 * 2. **Local delivery** — traffic that arrives from elsewhere enters the
 *    realm through `Realm.deliver(peer, message)` with a stand-in
 *    {@link Peer} for the remote session (its `send` carries the router's
 *    answers back): a PUBLISH reaches local subscribers with filters and
 *    retention applied, a CALL reaches a local callee with invocation
 *    policies, progress, timeouts and cancelling exactly as for a local
 *    caller. The stand-in's role decides authorization (the remote side has
 *    already authorized the action: give it an allow-all role). A hook is
 *    never called for traffic whose peer the backplane marks as its own
 *    stand-in — the backplane tells them apart (e.g. a `WeakSet`).
 *
 * Ordering: for one publisher, `published` is called in publication order,
 * right after local delivery, so a backplane that forwards in call order
 * keeps per-publisher ordering across nodes.
 *
 * @module
 */
import type { InvokePolicy } from "./_call_options.ts";
import type { CallMessage, Dict } from "./messages.ts";
import type { Peer } from "./peer.ts";
import type { MatchPolicy } from "./uri.ts";

/** What the routing seam shows of a local registration. */
export interface RoutedRegistration<P extends Peer = Peer> {
  /** Registration id. */
  readonly id: number;
  /** Procedure or pattern. */
  readonly uri: string;
  /** Match policy. */
  readonly match: MatchPolicy;
  /** Invocation policy. */
  readonly invoke: InvokePolicy;
  /** Local callees in registration order. */
  readonly callees: readonly P[];
}

/**
 * A cluster backplane's side of one realm: the "elsewhere" of routing.
 * Every method must return quickly and never throw, except
 * {@link RealmBackplane.checkRegister}, whose `WampError` becomes the
 * REGISTER's ERROR.
 */
export interface RealmBackplane<P extends Peer = Peer> {
  /**
   * A client published; local subscribers already have the event. Forward
   * it to the other nodes with matching subscribers.
   *
   * @param publisher Who published.
   * @param topic The topic.
   * @param options PUBLISH.Options as sent (filters such as `exclude`,
   *   `eligible_authrole`, `retain`, passthrough `ppt_*` keys).
   * @param details EVENT.Details as the router built them (publisher
   *   disclosure, passthrough keys); shared, do not mutate.
   * @param payload `[Arguments?, ArgumentsKw?]` as received.
   */
  published(
    publisher: P,
    topic: string,
    options: Dict,
    details: Dict,
    payload: unknown[],
  ): void;
  /** The router itself published (meta events); forward it likewise. */
  publishedInternal(topic: string, args: unknown[], kwargs?: Dict): void;
  /**
   * A local REGISTER is about to create a registration or add a callee.
   *
   * @throws {WampError} To refuse it (e.g. `wamp.error.procedure_already_exists`
   *   for a `single` registration of the same URI elsewhere).
   */
  checkRegister(
    peer: P,
    uri: string,
    match: MatchPolicy,
    invoke: InvokePolicy,
  ): void;
  /**
   * An authorized CALL: decide whether it is served elsewhere.
   *
   * @param caller The calling peer.
   * @param message The CALL as received.
   * @param local The registration a local callee would serve it from, if
   *   any (the backplane weighs it against registrations elsewhere).
   * @param disclose Whether the caller's role discloses it to the callee.
   * @returns `true` when the backplane took the call: it then owns it and
   *   sends the caller its RESULT(s) or ERROR through `caller.send`;
   *   `false` to serve it locally (or answer `wamp.error.no_such_procedure`).
   */
  routeCall(
    caller: P,
    message: CallMessage,
    local: RoutedRegistration<P> | undefined,
    disclose: boolean,
  ): boolean;
  /** CANCEL for a call the dealer does not hold (maybe one taken elsewhere). */
  cancel(caller: P, callId: number, mode: string): void;
  /** `peer` left the realm: drop what the backplane holds for it. */
  left(peer: P): void;
}
