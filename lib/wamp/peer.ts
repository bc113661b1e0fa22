/**
 * The leaf of the WAMP core: what the broker, the dealer and the routing
 * seam know of a connected session. A router {@link Session} is a `Peer`;
 * so are the stand-ins a cluster backplane makes for sessions on other
 * nodes, and the fakes of the broker and dealer unit tests.
 *
 * Import graph of the core (acyclic; checked by
 * `tests/lib/import_graph_test.ts`):
 * `peer` → `broker` / `dealer` (with `_checks`, `_call_options`,
 * `routing`) → `meta_api` → `realm` → `session` → `router`.
 *
 * @module
 */
import type { Action, Authorization } from "./authorization.ts";
import type { Dict } from "./messages.ts";
import type { WampMessage } from "./transport.ts";
import type { UriCheck } from "./uri.ts";

/** Client features (from HELLO.Details.roles) that change what is sent. */
export interface PeerFeatures {
  /** callee.call_canceling: it understands INTERRUPT. */
  readonly calleeCanCancel: boolean;
  /** callee.registration_revocation: it understands UNREGISTERED from the router. */
  readonly calleeRevocation: boolean;
  /** subscriber.subscription_revocation: it understands UNSUBSCRIBED from the router. */
  readonly subscriberRevocation: boolean;
}

/** Features of a peer that announced none of the optional ones. */
export const NO_FEATURES: PeerFeatures = Object.freeze({
  calleeCanCancel: false,
  calleeRevocation: false,
  subscriberRevocation: false,
});

/** One session as the broker and dealer see it. */
export interface Peer {
  /** Session id (unique on the router while joined). */
  readonly id: number;
  /** Authenticated identity. */
  readonly authid: string;
  /** Role name. */
  readonly authrole: string;
  /** What the client announced it understands. */
  readonly features: PeerFeatures;
  /**
   * Sends one message to the peer; never throws (dropped once closed). The
   * caller never mutates `message` afterwards (see `Transport.send`).
   */
  send(message: WampMessage): void;
}

/**
 * The realm's policy as the broker and dealer use it: URI syntax, trust,
 * authorization and membership. The realm implements it; unit tests fake it
 * (with no realm).
 */
export interface Gate<P extends Peer> {
  /** URI syntax check of the realm. */
  readonly uriCheck: UriCheck;
  /** Whether `peer` is the router's own (trusted) kind of session. */
  isTrusted(peer: P): boolean;
  /** Decides whether `peer` may do `action` on `uri`. */
  authorize(
    peer: P,
    uri: string,
    action: Action,
    options: Dict,
  ): Authorization | Promise<Authorization>;
  /** Whether `peer` is still joined (checked after asynchronous steps). */
  isActive(peer: P): boolean;
  /** Reports an error from an asynchronous step of handling `message`. */
  failed(peer: P, error: unknown, message: WampMessage): void;
}
