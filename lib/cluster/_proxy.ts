/**
 * Stand-ins for sessions that live on another member (the routing seam's
 * "local delivery", `lib/wamp/routing.ts`). The realm handles a remote
 * publication or call through one of these with `Realm.deliver()`, so
 * filters, retention, invocation policies, progressive results and cancel
 * modes work exactly as for local peers. Authorization already happened
 * where the real session lives, so a stand-in is allowed everything; what
 * the router sends it goes back to its member (through NATS or a host link).
 *
 * @module
 */
import type { Authorization, Role } from "../wamp/authorization.ts";
import { type Dict, errorMessage } from "../wamp/messages.ts";
import { NO_FEATURES } from "../wamp/peer.ts";
import type { Realm, RealmMember } from "../wamp/realm.ts";
import type { WampMessage } from "../wamp/transport.ts";

const ALLOW: Authorization = Object.freeze({
  allow: true,
  disclose: false,
  cache: false,
});

const ALLOW_DISCLOSED: Authorization = Object.freeze({
  allow: true,
  disclose: true,
  cache: false,
});

/** Allowed everything; discloses the identity when it was disclosed. */
const PROXY_ROLES: readonly [Role, Role] = [
  { name: "cluster-proxy", authorize: () => ALLOW },
  { name: "cluster-proxy", authorize: () => ALLOW_DISCLOSED },
];

/**
 * Marks stand-ins. A brand, not a WeakSet: stand-ins come and go with
 * remote sessions and publishers, and weak-set entries cost the garbage
 * collector.
 */
const PROXY: unique symbol = Symbol("cluster proxy");

/** Whether `peer` is a stand-in for a session on another member. */
export function isProxy(peer: object): boolean {
  return PROXY in peer;
}

/** Identity of the remote session a proxy stands for. */
export interface ProxyIdentity {
  /** Session id (0 when not disclosed). */
  readonly id: number;
  /** Authid. */
  readonly authid: string;
  /** Authrole. */
  readonly authrole: string;
  /** Whether the real session's role disclosed it (publisher or caller). */
  readonly disclose: boolean;
}

/**
 * Makes a stand-in on `realm` for a remote peer.
 *
 * @param realm The realm.
 * @param identity Who it stands for.
 * @param send Where the router's messages to it go.
 * @returns A realm member the broker and dealer accept.
 */
export function createProxy(
  realm: Realm,
  identity: ProxyIdentity,
  send: (message: WampMessage) => void,
): RealmMember {
  const proxy: RealmMember & { [PROXY]: true } = {
    [PROXY]: true,
    id: identity.id,
    authid: identity.authid,
    authrole: identity.authrole,
    features: NO_FEATURES,
    hidden: true,
    realm,
    role: PROXY_ROLES[identity.disclose ? 1 : 0],
    authorizationCache: new Map(),
    send,
    details: (): Dict => ({
      session: identity.id,
      authid: identity.authid,
      authrole: identity.authrole,
    }),
    shutdown: () => {},
    reportAsyncError(error: unknown, message: WampMessage) {
      const uri = (error as { uri?: unknown })?.uri;
      const wamp = typeof uri === "string"
        ? error as { uri: string; args?: unknown[]; kwargs?: Dict }
        : { uri: "wamp.error.runtime_error", args: ["Internal router error"] };
      send(errorMessage(message[0] as number, message[1] as number, wamp));
    },
  };
  return proxy;
}
