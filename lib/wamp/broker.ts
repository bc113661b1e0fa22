/**
 * The broker: subscriptions (exact, prefix, wildcard), event dispatch with
 * publisher identification, exclusion and black/white listing, and event
 * retention.
 *
 * Fan-out contract with the wire layer: all subscribers of one
 * subscription get the SAME EVENT array object for one publication, so a
 * transport may cache the encoded frame per array identity. Nobody may
 * mutate a message array after passing it to `Transport.send()`.
 *
 * @module
 */
import {
  authorizeThen,
  checkUri,
  readBool,
  readIdList,
  readMatch,
  readStringList,
} from "./_checks.ts";
import { WAMP_ERRORS, WampError } from "./errors.ts";
import { randomId } from "./ids.ts";
import {
  type Dict,
  MESSAGE_TYPES as T,
  passthroughOptions,
} from "./messages.ts";
import type { Realm } from "./realm.ts";
import type { Session } from "./session.ts";
import type { WampMessage } from "./transport.ts";
import { type MatchPolicy, wildcardMatches } from "./uri.ts";
import { type PatternLists, PatternTable } from "./_pattern_table.ts";

/** A subscription: one (topic, match) pair shared by its subscribers. */
export interface Subscription {
  /** Subscription id. */
  readonly id: number;
  /** Topic or pattern. */
  readonly uri: string;
  /** Match policy. */
  readonly match: MatchPolicy;
  /** Pattern components (wildcard only). */
  readonly parts: readonly string[];
  /** Creation time (ISO). */
  readonly created: string;
  /** Subscribed sessions. */
  readonly subscribers: Set<Session>;
}

/** Who may receive one publication (absent lists do not filter). */
interface Filter {
  exclude?: Set<number>;
  excludeAuthid?: Set<string>;
  excludeAuthrole?: Set<string>;
  eligible?: Set<number>;
  eligibleAuthid?: Set<string>;
  eligibleAuthrole?: Set<string>;
}

interface RetainedEvent {
  readonly publicationId: number;
  readonly topic: string;
  readonly details: Dict;
  readonly payload: unknown[];
  readonly filter: Filter | undefined;
}

function toSet<V>(list: V[] | undefined): Set<V> | undefined {
  return list === undefined ? undefined : new Set(list);
}

function readFilter(options: Dict): Filter | undefined {
  const m = "PUBLISH";
  const filter: Filter = {};
  let any = false;
  const set = <K extends keyof Filter>(key: K, value: Filter[K]) => {
    if (value !== undefined) {
      filter[key] = value;
      any = true;
    }
  };
  set("exclude", toSet(readIdList(options, "exclude", m)));
  set("excludeAuthid", toSet(readStringList(options, "exclude_authid", m)));
  set("excludeAuthrole", toSet(readStringList(options, "exclude_authrole", m)));
  set("eligible", toSet(readIdList(options, "eligible", m)));
  set("eligibleAuthid", toSet(readStringList(options, "eligible_authid", m)));
  set(
    "eligibleAuthrole",
    toSet(readStringList(options, "eligible_authrole", m)),
  );
  return any ? filter : undefined;
}

function passes(filter: Filter, session: Session): boolean {
  if (filter.exclude?.has(session.id)) return false;
  if (filter.excludeAuthid?.has(session.authid)) return false;
  if (filter.excludeAuthrole?.has(session.authrole)) return false;
  if (filter.eligible && !filter.eligible.has(session.id)) return false;
  if (filter.eligibleAuthid && !filter.eligibleAuthid.has(session.authid)) {
    return false;
  }
  if (
    filter.eligibleAuthrole && !filter.eligibleAuthrole.has(session.authrole)
  ) return false;
  return true;
}

/** The pub/sub half of a realm. */
export class Broker {
  readonly #realm: Realm;
  readonly #subscriptions = new PatternTable<Subscription>();
  readonly #retained = new Map<string, RetainedEvent>();

  /** @param realm The realm this broker serves. */
  constructor(realm: Realm) {
    this.#realm = realm;
  }

  /** Handles SUBSCRIBE `[32, Request, Options, Topic]`. */
  subscribe(session: Session, message: WampMessage): void {
    const requestId = message[1] as number;
    const options = message[2] as Dict;
    const topic = message[3] as string;
    const match = readMatch(options, "SUBSCRIBE");
    const getRetained = readBool(options, "get_retained", "SUBSCRIBE") === true;
    checkUri(session, topic, match, "subscribe");
    authorizeThen(session, message, topic, "subscribe", options, () => {
      let subscription = this.#subscriptions.get(topic, match);
      const created = subscription === undefined;
      if (subscription === undefined) {
        subscription = {
          id: randomId(),
          uri: topic,
          match,
          parts: match === "wildcard" ? topic.split(".") : [],
          created: new Date().toISOString(),
          subscribers: new Set(),
        };
        this.#subscriptions.add(subscription);
      }
      const added = !subscription.subscribers.has(session);
      subscription.subscribers.add(session);
      session.subscriptions.add(subscription);
      session.send([T.SUBSCRIBED, requestId, subscription.id]);
      if (getRetained) this.#sendRetained(session, subscription);
      if (created) this.#realm.meta.onSubscriptionCreate(session, subscription);
      if (added) this.#realm.meta.onSubscribe(session, subscription);
    });
  }

  /** Handles UNSUBSCRIBE `[34, Request, Subscription]`. */
  unsubscribe(session: Session, message: WampMessage): void {
    const requestId = message[1] as number;
    const subscription = this.#subscriptions.byId(message[2]);
    if (
      subscription === undefined || !subscription.subscribers.has(session)
    ) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_SUBSCRIPTION, [
        `No subscription ${message[2]} for this session`,
      ]);
    }
    this.#drop(session, subscription);
    session.send([T.UNSUBSCRIBED, requestId]);
    this.#afterDrop(session, subscription);
  }

  /** Handles PUBLISH `[16, Request, Options, Topic, Args?, KwArgs?]`. */
  publish(session: Session, message: WampMessage): void {
    const requestId = message[1] as number;
    const options = message[2] as Dict;
    const topic = message[3] as string;
    const acknowledge = readBool(options, "acknowledge", "PUBLISH") === true;
    const excludeMe = readBool(options, "exclude_me", "PUBLISH") !== false;
    // Checked, then ignored as in Crossbar 21.3.1: the role decides.
    readBool(options, "disclose_me", "PUBLISH");
    const retain = readBool(options, "retain", "PUBLISH") === true;
    const filter = readFilter(options);
    checkUri(session, topic, "exact", "publish");
    authorizeThen(session, message, topic, "publish", options, (auth) => {
      const publicationId = randomId();
      const details: Dict = { ...passthroughOptions(options) };
      if (auth.disclose) {
        details.publisher = session.id;
        details.publisher_authid = session.authid;
        details.publisher_authrole = session.authrole;
      }
      const payload = message.length > 4 ? message.slice(4) : [];
      this.#dispatch(
        topic,
        publicationId,
        details,
        payload,
        filter,
        excludeMe ? session : undefined,
      );
      if (retain) {
        this.#retained.set(topic, {
          publicationId,
          topic,
          details,
          payload,
          filter,
        });
      }
      if (acknowledge) session.send([T.PUBLISHED, requestId, publicationId]);
    });
  }

  /**
   * Publishes an event from the router itself (meta events): no publisher,
   * no filters, no authorization.
   */
  publishInternal(topic: string, args: unknown[], kwargs?: Dict): void {
    if (this.#subscriptions.size === 0) return;
    const payload = kwargs === undefined ? [args] : [args, kwargs];
    this.#dispatch(topic, randomId(), {}, payload, undefined, undefined);
  }

  /** Removes every subscription of a leaving session (with meta events). */
  removeSession(session: Session): void {
    for (const subscription of [...session.subscriptions]) {
      this.#drop(session, subscription);
      this.#afterDrop(session, subscription);
    }
  }

  /**
   * Removes `sessionId` from subscription `id` (meta API), telling the
   * subscriber when it supports subscription revocation.
   *
   * @throws {WampError} When there is no such subscription or subscriber.
   */
  removeSubscriber(id: number, sessionId: number, reason?: string): void {
    const subscription = this.getSubscription(id);
    const session = this.#realm.sessions.get(sessionId);
    if (session === undefined || !subscription.subscribers.has(session)) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_SESSION, [
        `Session ${sessionId} is not subscribed to subscription ${id}`,
      ]);
    }
    this.#drop(session, subscription);
    if (session.subscriberRevocation) {
      session.send([T.UNSUBSCRIBED, 0, {
        subscription: id,
        ...(reason === undefined ? {} : { reason }),
      }]);
    }
    this.#afterDrop(session, subscription);
  }

  /** Subscription ids by match policy. */
  list(): PatternLists {
    return this.#subscriptions.list();
  }

  /** The subscription for exactly (`topic`, `match`), if any. */
  lookup(topic: string, match: MatchPolicy): Subscription | undefined {
    return this.#subscriptions.get(topic, match);
  }

  /** All subscriptions an event on `topic` would reach. */
  matching(topic: string): Subscription[] {
    const result: Subscription[] = [];
    this.#subscriptions.forEachMatch(topic, (s) => result.push(s));
    return result;
  }

  /**
   * The subscription with `id`.
   *
   * @throws {WampError} `wamp.error.no_such_subscription`.
   */
  getSubscription(id: unknown): Subscription {
    const subscription = this.#subscriptions.byId(id);
    if (subscription === undefined) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_SUBSCRIPTION, [
        `No subscription with id ${JSON.stringify(id)} exists on this realm`,
      ]);
    }
    return subscription;
  }

  #dispatch(
    topic: string,
    publicationId: number,
    details: Dict,
    payload: unknown[],
    filter: Filter | undefined,
    publisher: Session | undefined,
  ): void {
    this.#subscriptions.forEachMatch(topic, (subscription) => {
      const eventDetails = subscription.match === "exact"
        ? details
        : { ...details, topic };
      const event: WampMessage = [
        T.EVENT,
        subscription.id,
        publicationId,
        eventDetails,
        ...payload,
      ];
      for (const subscriber of subscription.subscribers) {
        if (subscriber === publisher) continue;
        if (filter !== undefined && !passes(filter, subscriber)) continue;
        subscriber.send(event);
      }
    });
  }

  #sendRetained(session: Session, subscription: Subscription): void {
    const send = (event: RetainedEvent) => {
      if (event.filter !== undefined && !passes(event.filter, session)) return;
      session.send([
        T.EVENT,
        subscription.id,
        event.publicationId,
        {
          ...event.details,
          retained: true,
          ...(subscription.match === "exact" ? {} : { topic: event.topic }),
        },
        ...event.payload,
      ]);
    };
    if (subscription.match === "exact") {
      const event = this.#retained.get(subscription.uri);
      if (event !== undefined) send(event);
      return;
    }
    for (const event of this.#retained.values()) {
      const hit = subscription.match === "prefix"
        ? event.topic.startsWith(subscription.uri)
        : wildcardMatches(subscription.parts, event.topic.split("."));
      if (hit) send(event);
    }
  }

  #drop(session: Session, subscription: Subscription): void {
    subscription.subscribers.delete(session);
    session.subscriptions.delete(subscription);
    if (subscription.subscribers.size === 0) {
      this.#subscriptions.delete(subscription);
    }
  }

  #afterDrop(session: Session, subscription: Subscription): void {
    this.#realm.meta.onUnsubscribe(session, subscription);
    if (subscription.subscribers.size === 0) {
      this.#realm.meta.onSubscriptionDelete(session, subscription);
    }
  }
}
