/**
 * Fakes for unit tests of the broker and dealer without a realm: peers that
 * record what they are sent, and a gate with a switchable policy.
 */
import type { Authorization } from "../../../lib/wamp/authorization.ts";
import type { BrokerEvents } from "../../../lib/wamp/broker.ts";
import type { DealerEvents } from "../../../lib/wamp/dealer.ts";
import type { Gate, Peer, PeerFeatures } from "../../../lib/wamp/peer.ts";
import type { WampMessage } from "../../../lib/wamp/transport.ts";

/** A peer that records every message it is sent. */
export class FakePeer implements Peer {
  readonly id: number;
  readonly authid: string;
  readonly authrole: string;
  readonly features: PeerFeatures;
  readonly sent: WampMessage[] = [];

  constructor(
    id: number,
    options: {
      authid?: string;
      authrole?: string;
      features?: Partial<PeerFeatures>;
    } = {},
  ) {
    this.id = id;
    this.authid = options.authid ?? `peer-${id}`;
    this.authrole = options.authrole ?? "user";
    this.features = {
      calleeCanCancel: false,
      calleeRevocation: false,
      subscriberRevocation: false,
      ...options.features,
    };
  }

  send(message: WampMessage): void {
    this.sent.push(message);
  }

  /** Returns and forgets what was sent so far. */
  take(): WampMessage[] {
    return this.sent.splice(0);
  }
}

/** A gate whose decisions a test sets; records asynchronous failures. */
export class FakeGate implements Gate<FakePeer> {
  readonly uriCheck = "strict" as const;
  decide: (
    peer: FakePeer,
    uri: string,
  ) => Authorization | Promise<Authorization> = () => ({
    allow: true,
    disclose: false,
    cache: false,
  });
  readonly gone = new Set<FakePeer>();
  readonly failures: unknown[] = [];

  isTrusted(): boolean {
    return false;
  }
  authorize(
    peer: FakePeer,
    uri: string,
  ): Authorization | Promise<Authorization> {
    return this.decide(peer, uri);
  }
  isActive(peer: FakePeer): boolean {
    return !this.gone.has(peer);
  }
  failed(_peer: FakePeer, error: unknown): void {
    this.failures.push(error);
  }
}

/** Records broker and dealer events as `[name, peer id, record id]`. */
export class EventLog
  implements BrokerEvents<FakePeer>, DealerEvents<FakePeer> {
  readonly events: [string, number, number][] = [];
  #add(name: string, peer: FakePeer, record: { id: number }): void {
    this.events.push([name, peer.id, record.id]);
  }
  onSubscriptionCreate(p: FakePeer, s: { id: number }): void {
    this.#add("subscription.create", p, s);
  }
  onSubscribe(p: FakePeer, s: { id: number }): void {
    this.#add("subscribe", p, s);
  }
  onUnsubscribe(p: FakePeer, s: { id: number }): void {
    this.#add("unsubscribe", p, s);
  }
  onSubscriptionDelete(p: FakePeer, s: { id: number }): void {
    this.#add("subscription.delete", p, s);
  }
  onRegistrationCreate(p: FakePeer, r: { id: number }): void {
    this.#add("registration.create", p, r);
  }
  onRegister(p: FakePeer, r: { id: number }): void {
    this.#add("register", p, r);
  }
  onUnregister(p: FakePeer, r: { id: number }): void {
    this.#add("unregister", p, r);
  }
  onRegistrationDelete(p: FakePeer, r: { id: number }): void {
    this.#add("registration.delete", p, r);
  }
}
