/**
 * The WAMP meta API of one realm: session, subscription and registration
 * meta events (published by the router) and meta procedures (implemented by
 * the router, authorized like any other call).
 *
 * @module
 */
import type { Broker, BrokerEvents, Subscription } from "./broker.ts";
import type { Dealer, DealerEvents, Registration } from "./dealer.ts";
import { WAMP_ERRORS, WampError } from "./errors.ts";
import type { Dict } from "./messages.ts";
import type { Peer } from "./peer.ts";
import {
  readAuthroleFilter,
  readKillOptions,
  readLookupMatch,
  requireId,
  requireString,
} from "./meta_args.ts";
import { Testaments } from "./_testaments.ts";

/** A joined session as the meta API sees it. */
export interface MetaMember extends Peer {
  /** Hidden from the meta API (the router's own service sessions). */
  readonly hidden: boolean;
  /** P details (`wamp.session.get`, `on_join`). */
  details(): Dict;
  /** Ends the session with GOODBYE `reason` (`wamp.session.kill`). */
  shutdown(reason: string, message?: string): void;
}

/** What the meta API needs from its realm. */
export interface MetaHost<P extends MetaMember> {
  /** Whether meta events are published. */
  readonly enabled: boolean;
  /** The joined sessions. */
  members(): Iterable<P>;
  /** The joined session with `id`, if any. */
  member(id: number): P | undefined;
  /** Publishes an event as the router (meta events, testaments). */
  publish(topic: string, args: unknown[], kwargs?: Dict): void;
}

function subscriptionDetails(subscription: Subscription<Peer>): Dict {
  return {
    id: subscription.id,
    created: subscription.created,
    uri: subscription.uri,
    match: subscription.match,
  };
}

function registrationDetails(registration: Registration<Peer>): Dict {
  return {
    id: registration.id,
    created: registration.created,
    uri: registration.uri,
    match: registration.match,
    invoke: registration.invoke,
  };
}

/**
 * Meta events and procedures of one realm. It is the broker's and dealer's
 * {@link BrokerEvents} / {@link DealerEvents}, so every change reaches its
 * `on…` methods whether or not the meta API is enabled.
 */
export class MetaApi<P extends MetaMember = MetaMember>
  implements BrokerEvents<P>, DealerEvents<P> {
  readonly #host: MetaHost<P>;
  readonly #testaments = new Testaments<P>();

  /** @param host The realm's members and publisher. */
  constructor(host: MetaHost<P>) {
    this.#host = host;
  }

  #publish(topic: string, args: unknown[]): void {
    if (this.#host.enabled) this.#host.publish(topic, args);
  }

  /** `wamp.session.on_join` with the session details. */
  onJoin(session: P): void {
    this.#publish("wamp.session.on_join", [session.details()]);
  }

  /**
   * Publishes the leaving session's testaments, then `wamp.session.on_leave`
   * with (session, authid, authrole).
   */
  onLeave(session: P): void {
    for (const testament of this.#testaments.take(session)) {
      this.#host.publish(testament.topic, testament.args, testament.kwargs);
    }
    this.#publish("wamp.session.on_leave", [
      session.id,
      session.authid,
      session.authrole,
    ]);
  }

  /** `wamp.subscription.on_create`. */
  onSubscriptionCreate(session: P, subscription: Subscription<P>): void {
    this.#publish("wamp.subscription.on_create", [
      session.id,
      subscriptionDetails(subscription),
    ]);
  }

  /** `wamp.subscription.on_subscribe`. */
  onSubscribe(session: P, subscription: Subscription<P>): void {
    this.#publish("wamp.subscription.on_subscribe", [
      session.id,
      subscription.id,
    ]);
  }

  /** `wamp.subscription.on_unsubscribe`. */
  onUnsubscribe(session: P, subscription: Subscription<P>): void {
    this.#publish("wamp.subscription.on_unsubscribe", [
      session.id,
      subscription.id,
    ]);
  }

  /** `wamp.subscription.on_delete`. */
  onSubscriptionDelete(session: P, subscription: Subscription<P>): void {
    this.#publish("wamp.subscription.on_delete", [
      session.id,
      subscription.id,
    ]);
  }

  /** `wamp.registration.on_create`. */
  onRegistrationCreate(session: P, registration: Registration<P>): void {
    this.#publish("wamp.registration.on_create", [
      session.id,
      registrationDetails(registration),
    ]);
  }

  /** `wamp.registration.on_register`. */
  onRegister(session: P, registration: Registration<P>): void {
    this.#publish("wamp.registration.on_register", [
      session.id,
      registration.id,
    ]);
  }

  /** `wamp.registration.on_unregister`. */
  onUnregister(session: P, registration: Registration<P>): void {
    this.#publish("wamp.registration.on_unregister", [
      session.id,
      registration.id,
    ]);
  }

  /** `wamp.registration.on_delete`. */
  onRegistrationDelete(session: P, registration: Registration<P>): void {
    this.#publish("wamp.registration.on_delete", [
      session.id,
      registration.id,
    ]);
  }

  /** Adds the meta procedures to `dealer`, reading `broker` too. */
  registerProcedures(dealer: Dealer<P>, broker: Broker<P>): void {
    this.#registerSessionProcedures(dealer);
    this.#registerSubscriptionProcedures(dealer, broker);
    this.#registerRegistrationProcedures(dealer);
  }

  #visibleSessions(filter: Set<string> | undefined): P[] {
    const result: P[] = [];
    for (const session of this.#host.members()) {
      if (session.hidden) continue;
      if (filter !== undefined && !filter.has(session.authrole)) continue;
      result.push(session);
    }
    return result;
  }

  #registerSessionProcedures(dealer: Dealer<P>): void {
    const host = this.#host;
    dealer.registerInternal(
      "wamp.session.count",
      (_, args) => this.#visibleSessions(readAuthroleFilter(args)).length,
    );
    dealer.registerInternal(
      "wamp.session.list",
      (_, args) =>
        this.#visibleSessions(readAuthroleFilter(args)).map((s) => s.id),
    );
    dealer.registerInternal("wamp.session.get", (_, args) => {
      const id = requireId(args[0], "session");
      const session = host.member(id);
      if (session === undefined || session.hidden) {
        throw new WampError(WAMP_ERRORS.NO_SUCH_SESSION, [
          `No session with id ${id} exists on this realm`,
        ]);
      }
      return session.details();
    });
    dealer.registerInternal("wamp.session.kill", (caller, args, kwargs) => {
      const id = requireId(args[0], "session");
      const close = readKillOptions(kwargs);
      const session = host.member(id);
      if (session === undefined || session === caller || session.hidden) {
        throw new WampError(WAMP_ERRORS.NO_SUCH_SESSION, [
          `No other session with id ${id} exists on this realm`,
        ]);
      }
      session.shutdown(close.reason, close.message);
      return undefined;
    });
    const killWhere = (caller: P, test: (s: P) => boolean) => {
      const victims = this.#visibleSessions(undefined).filter((s) =>
        s !== caller && test(s)
      );
      return victims;
    };
    dealer.registerInternal(
      "wamp.session.kill_by_authid",
      (caller, args, kwargs) => {
        const authid = requireString(args[0], "authid");
        const close = readKillOptions(kwargs);
        const victims = killWhere(caller, (s) => s.authid === authid);
        for (const s of victims) s.shutdown(close.reason, close.message);
        return victims.map((s) => s.id);
      },
    );
    dealer.registerInternal(
      "wamp.session.kill_by_authrole",
      (caller, args, kwargs) => {
        const authrole = requireString(args[0], "authrole");
        const close = readKillOptions(kwargs);
        const victims = killWhere(caller, (s) => s.authrole === authrole);
        for (const s of victims) s.shutdown(close.reason, close.message);
        return victims.length;
      },
    );
    dealer.registerInternal(
      "wamp.session.add_testament",
      (caller, args, kwargs) => this.#testaments.add(caller, args, kwargs),
    );
    dealer.registerInternal(
      "wamp.session.flush_testaments",
      (caller, _args, kwargs) => this.#testaments.flush(caller, kwargs),
    );
    dealer.registerInternal(
      "wamp.session.kill_all",
      (caller, _args, kwargs) => {
        const close = readKillOptions(kwargs);
        const victims = killWhere(caller, () => true);
        for (const s of victims) s.shutdown(close.reason, close.message);
        return victims.length;
      },
    );
  }

  #registerSubscriptionProcedures(dealer: Dealer<P>, broker: Broker<P>): void {
    const p = "wamp.subscription.";
    dealer.registerInternal(p + "list", () => broker.list());
    dealer.registerInternal(p + "lookup", (_, args) => {
      const topic = requireString(args[0], "topic");
      return broker.lookup(topic, readLookupMatch(args[1]))?.id ?? null;
    });
    dealer.registerInternal(p + "match", (_, args) => {
      const ids = broker.matching(requireString(args[0], "topic")).map((s) =>
        s.id
      );
      return ids.length > 0 ? ids : null;
    });
    dealer.registerInternal(
      p + "get",
      (_, args) => subscriptionDetails(broker.getSubscription(args[0])),
    );
    dealer.registerInternal(
      p + "list_subscribers",
      (_, args) =>
        [...broker.getSubscription(args[0]).subscribers].map((s) => s.id),
    );
    dealer.registerInternal(
      p + "count_subscribers",
      (_, args) => broker.getSubscription(args[0]).subscribers.size,
    );
    dealer.registerInternal(p + "remove_subscriber", (_, args, kwargs) => {
      const id = requireId(args[0], "subscription");
      const session = requireId(args[1], "session");
      const reason = typeof kwargs.reason === "string"
        ? kwargs.reason
        : undefined;
      broker.removeSubscriber(id, session, reason);
      return undefined;
    });
    dealer.registerInternal(p + "get_events", () => {
      throw new WampError(WAMP_ERRORS.HISTORY_UNAVAILABLE, [
        "This router keeps no event history",
      ]);
    });
  }

  #registerRegistrationProcedures(dealer: Dealer<P>): void {
    const p = "wamp.registration.";
    dealer.registerInternal(p + "list", () => dealer.list());
    dealer.registerInternal(p + "lookup", (_, args) => {
      const uri = requireString(args[0], "procedure");
      return dealer.lookup(uri, readLookupMatch(args[1]))?.id ?? null;
    });
    dealer.registerInternal(
      p + "match",
      (_, args) => dealer.find(requireString(args[0], "procedure"))?.id ?? null,
    );
    dealer.registerInternal(
      p + "get",
      (_, args) => registrationDetails(dealer.getRegistration(args[0])),
    );
    dealer.registerInternal(
      p + "list_callees",
      (_, args) => dealer.getRegistration(args[0]).callees.map((s) => s.id),
    );
    dealer.registerInternal(
      p + "count_callees",
      (_, args) => dealer.getRegistration(args[0]).callees.length,
    );
    dealer.registerInternal(p + "remove_callee", (_, args, kwargs) => {
      const id = requireId(args[0], "registration");
      const session = requireId(args[1], "session");
      const reason = typeof kwargs.reason === "string"
        ? kwargs.reason
        : undefined;
      dealer.removeCallee(id, session, reason);
      return undefined;
    });
  }
}
