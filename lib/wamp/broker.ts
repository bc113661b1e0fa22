/**
 * The broker: subscriptions (exact, prefix, wildcard), event dispatch with
 * publisher identification, exclusion and black/white listing, and event
 * retention.
 *
 * The broker owns its per-peer index (`Map<Peer, Set<Subscription>>`) and
 * knows its realm only through a {@link Gate} (authorization, URI check),
 * {@link BrokerEvents} (meta events) and the routing seam
 * (`routing.ts`), so it is unit-tested with fake peers and no realm.
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
  type PublishMessage,
  type SubscribeMessage,
  type UnsubscribeMessage,
} from "./messages.ts";
import type { Gate, Peer } from "./peer.ts";
import type { RealmBackplane } from "./routing.ts";
import type { WampMessage } from "./transport.ts";
import { type MatchPolicy, wildcardMatches } from "./uri.ts";
import { type PatternLists, PatternTable } from "./_pattern_table.ts";

/** A subscription: one (topic, match) pair shared by its subscribers. */
export interface Subscription<P extends Peer = Peer> {
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
  /** Subscribed peers. */
  readonly subscribers: Set<P>;
}

/** Subscription changes, for the meta API (and a backplane observing it). */
export interface BrokerEvents<P extends Peer> {
  /** A subscription was created by `peer`'s SUBSCRIBE. */
  onSubscriptionCreate(peer: P, subscription: Subscription<P>): void;
  /** `peer` was added to a subscription. */
  onSubscribe(peer: P, subscription: Subscription<P>): void;
  /** `peer` was removed from a subscription. */
  onUnsubscribe(peer: P, subscription: Subscription<P>): void;
  /** A subscription lost its last subscriber (`peer`). */
  onSubscriptionDelete(peer: P, subscription: Subscription<P>): void;
}

/** What a {@link Broker} needs from its realm. */
export interface BrokerOptions<P extends Peer> {
  /** Authorization, URI check and membership. */
  readonly gate: Gate<P>;
  /** Where subscription changes are reported. */
  readonly events: BrokerEvents<P>;
  /** The current backplane, if the realm is routed elsewhere too. */
  readonly backplane?: () => RealmBackplane<P> | undefined;
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

function passes(filter: Filter, session: Peer): boolean {
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
export class Broker<P extends Peer = Peer> {
  readonly #gate: Gate<P>;
  readonly #events: BrokerEvents<P>;
  readonly #backplane: () => RealmBackplane<P> | undefined;
  readonly #subscriptions = new PatternTable<Subscription<P>>();
  readonly #byPeer = new Map<P, Set<Subscription<P>>>();
  readonly #retained = new Map<string, RetainedEvent>();

  /** @param options The realm's gate, meta events and backplane. */
  constructor(options: BrokerOptions<P>) {
    this.#gate = options.gate;
    this.#events = options.events;
    this.#backplane = options.backplane ?? (() => undefined);
  }

  /** Handles SUBSCRIBE `[32, Request, Options, Topic]`. */
  subscribe(peer: P, message: SubscribeMessage): void {
    const [, requestId, options, topic] = message;
    const match = readMatch(options, "SUBSCRIBE");
    const getRetained = readBool(options, "get_retained", "SUBSCRIBE") === true;
    checkUri(this.#gate, peer, topic, match, "subscribe");
    const request = { uri: topic, action: "subscribe" as const, options };
    authorizeThen(this.#gate, peer, message, request, () => {
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
      const added = !subscription.subscribers.has(peer);
      subscription.subscribers.add(peer);
      this.#indexOf(peer).add(subscription);
      peer.send([T.SUBSCRIBED, requestId, subscription.id]);
      if (getRetained) this.#sendRetained(peer, subscription);
      if (created) this.#events.onSubscriptionCreate(peer, subscription);
      if (added) this.#events.onSubscribe(peer, subscription);
    });
  }

  /** Handles UNSUBSCRIBE `[34, Request, Subscription]`. */
  unsubscribe(peer: P, message: UnsubscribeMessage): void {
    const [, requestId, subscriptionId] = message;
    const subscription = this.#subscriptions.byId(subscriptionId);
    if (subscription === undefined || !subscription.subscribers.has(peer)) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_SUBSCRIPTION, [
        `No subscription ${subscriptionId} for this session`,
      ]);
    }
    this.#drop(peer, subscription);
    peer.send([T.UNSUBSCRIBED, requestId]);
    this.#afterDrop(peer, subscription);
  }

  /** Handles PUBLISH `[16, Request, Options, Topic, Args?, KwArgs?]`. */
  publish(peer: P, message: PublishMessage): void {
    const [, requestId, options, topic] = message;
    const acknowledge = readBool(options, "acknowledge", "PUBLISH") === true;
    const excludeMe = readBool(options, "exclude_me", "PUBLISH") !== false;
    // Checked, then ignored as in Crossbar 21.3.1: the role decides.
    readBool(options, "disclose_me", "PUBLISH");
    const retain = readBool(options, "retain", "PUBLISH") === true;
    const filter = readFilter(options);
    checkUri(this.#gate, peer, topic, "exact", "publish");
    const request = { uri: topic, action: "publish" as const, options };
    authorizeThen(this.#gate, peer, message, request, (auth) => {
      const publicationId = randomId();
      const details: Dict = { ...passthroughOptions(options) };
      if (auth.disclose) {
        details.publisher = peer.id;
        details.publisher_authid = peer.authid;
        details.publisher_authrole = peer.authrole;
      }
      const payload = message.length > 4 ? message.slice(4) : [];
      this.#dispatch(
        topic,
        publicationId,
        details,
        payload,
        filter,
        excludeMe ? peer : undefined,
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
      this.#backplane()?.published(peer, topic, options, details, payload);
      if (acknowledge) peer.send([T.PUBLISHED, requestId, publicationId]);
    });
  }

  /**
   * Publishes an event from the router itself (meta events): no publisher,
   * no filters, no authorization.
   */
  publishInternal(topic: string, args: unknown[], kwargs?: Dict): void {
    this.#backplane()?.publishedInternal(topic, args, kwargs);
    if (this.#subscriptions.size === 0) return;
    const payload = kwargs === undefined ? [args] : [args, kwargs];
    this.#dispatch(topic, randomId(), {}, payload, undefined, undefined);
  }

  /**
   * Keeps `topic`'s retained event without dispatching it: a backplane
   * catching up on a retained event published elsewhere (`routing.ts`).
   *
   * @param topic The topic.
   * @param options The PUBLISH options it was published with (filters).
   * @param details Its EVENT.Details.
   * @param payload `[Arguments?, ArgumentsKw?]`.
   * @throws {WampError} When a filter option is malformed.
   */
  keepRetained(
    topic: string,
    options: Dict,
    details: Dict,
    payload: unknown[],
  ): void {
    const filter = readFilter(options);
    this.#retained.set(topic, {
      publicationId: randomId(),
      topic,
      details,
      payload,
      filter,
    });
  }

  /** The subscriptions `peer` holds. */
  subscriptionsOf(peer: P): ReadonlySet<Subscription<P>> {
    return this.#byPeer.get(peer) ?? new Set();
  }

  /** Removes every subscription of a leaving peer (with meta events). */
  removePeer(peer: P): void {
    const held = this.#byPeer.get(peer);
    if (held === undefined) return;
    for (const subscription of [...held]) {
      this.#drop(peer, subscription);
      this.#afterDrop(peer, subscription);
    }
    this.#byPeer.delete(peer);
  }

  /** Same as {@link Broker.removePeer}. */
  removeSession(peer: P): void {
    this.removePeer(peer);
  }

  /**
   * Removes `sessionId` from subscription `id` (meta API), telling the
   * subscriber when it supports subscription revocation.
   *
   * @throws {WampError} When there is no such subscription or subscriber.
   */
  removeSubscriber(id: number, sessionId: number, reason?: string): void {
    const subscription = this.getSubscription(id);
    const peer = [...subscription.subscribers].find((p) => p.id === sessionId);
    if (peer === undefined) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_SESSION, [
        `Session ${sessionId} is not subscribed to subscription ${id}`,
      ]);
    }
    this.#drop(peer, subscription);
    if (peer.features.subscriberRevocation) {
      peer.send([T.UNSUBSCRIBED, 0, {
        subscription: id,
        ...(reason === undefined ? {} : { reason }),
      }]);
    }
    this.#afterDrop(peer, subscription);
  }

  /** Subscription ids by match policy. */
  list(): PatternLists {
    return this.#subscriptions.list();
  }

  /** The subscription for exactly (`topic`, `match`), if any. */
  lookup(topic: string, match: MatchPolicy): Subscription<P> | undefined {
    return this.#subscriptions.get(topic, match);
  }

  /** All subscriptions an event on `topic` would reach. */
  matching(topic: string): Subscription<P>[] {
    const result: Subscription<P>[] = [];
    this.#subscriptions.forEachMatch(topic, (s) => result.push(s));
    return result;
  }

  /**
   * The subscription with `id`.
   *
   * @throws {WampError} `wamp.error.no_such_subscription`.
   */
  getSubscription(id: unknown): Subscription<P> {
    const subscription = this.#subscriptions.byId(id);
    if (subscription === undefined) {
      throw new WampError(WAMP_ERRORS.NO_SUCH_SUBSCRIPTION, [
        `No subscription with id ${JSON.stringify(id)} exists on this realm`,
      ]);
    }
    return subscription;
  }

  #indexOf(peer: P): Set<Subscription<P>> {
    let held = this.#byPeer.get(peer);
    if (held === undefined) {
      held = new Set();
      this.#byPeer.set(peer, held);
    }
    return held;
  }

  #dispatch(
    topic: string,
    publicationId: number,
    details: Dict,
    payload: unknown[],
    filter: Filter | undefined,
    publisher: P | undefined,
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

  #sendRetained(peer: P, subscription: Subscription<P>): void {
    const send = (event: RetainedEvent) => {
      if (event.filter !== undefined && !passes(event.filter, peer)) return;
      peer.send([
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

  #drop(peer: P, subscription: Subscription<P>): void {
    subscription.subscribers.delete(peer);
    this.#byPeer.get(peer)?.delete(subscription);
    if (subscription.subscribers.size === 0) {
      this.#subscriptions.delete(subscription);
    }
  }

  #afterDrop(peer: P, subscription: Subscription<P>): void {
    this.#events.onUnsubscribe(peer, subscription);
    if (subscription.subscribers.size === 0) {
      this.#events.onSubscriptionDelete(peer, subscription);
    }
  }
}
