/**
 * The WAMP v2 router core: realms, roles and permissions, broker, dealer,
 * meta API, the routing seam for a cluster backplane (`routing.ts`), and an
 * in-process client. The wire layer (codecs, WebSocket
 * transport) and the configured auth methods live beside it and meet it at
 * `transport.ts` and `auth/authenticator.ts`.
 *
 * Composition in the node: build one router from the config's realms with
 * {@link createRouter}; for each WebSocket connection the wire layer calls
 * `router.attach(transport, { authMethods })` (anonymous only, via
 * {@link anonymousAuthMethod}, when a transport has no `auth`); the HTTP
 * bridge uses `router.connectLocal()` or `router.callProcedure()`; on
 * shutdown call `router.close()`.
 *
 * Fan-out contract: for one publication, all subscribers of one
 * subscription receive the same EVENT array object, so a transport may
 * cache its encoded frame per array identity. Message arrays passed to
 * `Transport.send()` are never mutated afterwards, by either side.
 *
 * @example A router with an open realm and two local sessions
 * ```ts
 * import { createRouter } from "./mod.ts";
 * const router = createRouter({
 *   realms: [{
 *     name: "realm1",
 *     roles: [{ name: "anonymous", permissions: [{
 *       uri: "", match: "prefix",
 *       allow: { call: true, register: true, publish: true, subscribe: true },
 *     }] }],
 *   }],
 * });
 * const callee = await router.connectLocal({ realm: "realm1", authrole: "anonymous" });
 * await callee.register("com.example.echo", (args) => args[0]);
 * const caller = await router.connectLocal({ realm: "realm1", authrole: "anonymous" });
 * const { args } = await caller.call("com.example.echo", ["hi"]);
 * if (args[0] !== "hi") throw new Error();
 * await router.close();
 * ```
 *
 * @module
 */
export {
  type AttachOptions,
  createRouter,
  type LocalConnectOptions,
  Router,
  type RouterOptions,
  type RouterStats,
} from "./router.ts";
export type { RealmConfig, RealmOptions } from "./realm.ts";
export type {
  Action,
  Authorization,
  PermissionConfig,
  RoleConfig,
} from "./authorization.ts";
export {
  ProtocolViolationError,
  WAMP_ERRORS,
  WampError,
  type WampErrorUri,
} from "./errors.ts";
export {
  type CallMessage,
  type IncomingMessage,
  MESSAGE_TYPES,
  type MessageType,
  type PublishMessage,
} from "./messages.ts";
export type { Gate, Peer, PeerFeatures } from "./peer.ts";
export type { RealmBackplane, RoutedRegistration } from "./routing.ts";
export {
  convertStarredUri,
  isValidUri,
  type MatchPolicy,
  type UriCheck,
} from "./uri.ts";
export {
  anonymousAuthMethod,
  type AnonymousAuthOptions,
} from "./auth/anonymous.ts";
export {
  type CallOptions,
  type CallResult,
  type ClientRegistration,
  type ClientSubscription,
  createDuplexPair,
  type EventDetails,
  type EventHandler,
  type InvocationDetails,
  type JoinOptions,
  joinRealm,
  messagePortDuplex,
  type ProcedureHandler,
  Result,
  WampClient,
  type WampDuplex,
} from "./client/mod.ts";
