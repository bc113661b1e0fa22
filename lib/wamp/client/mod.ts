/**
 * In-process WAMP client: join a realm over a {@link WampDuplex} (an
 * in-memory pair from `Router.connectLocal()`, or later a `MessagePort`),
 * then publish, subscribe, call and register.
 *
 * @example Call a procedure on a local router
 * ```ts
 * import { createRouter } from "../router.ts";
 * const router = createRouter({ realms: [{ name: "realm1" }] });
 * const callee = await router.connectLocal({ realm: "realm1", authrole: "trusted" });
 * await callee.register("com.example.add", (args) => Number(args[0]) + Number(args[1]));
 * const caller = await router.connectLocal({ realm: "realm1", authrole: "trusted" });
 * const result = await caller.call("com.example.add", [2, 3]);
 * if (result.args[0] !== 5) throw new Error();
 * await router.close();
 * ```
 *
 * @module
 */
export {
  createDuplexPair,
  messagePortDuplex,
  type WampDuplex,
} from "./duplex.ts";
export { CLIENT_ROLES, type JoinOptions, joinRealm } from "./join.ts";
export { WampClient } from "./wamp_client.ts";
export {
  type CallOptions,
  type CallResult,
  type ClientRegistration,
  type ClientSubscription,
  type EventDetails,
  type EventHandler,
  type InvocationDetails,
  type ProcedureHandler,
  Result,
  type Welcome,
} from "./types.ts";
