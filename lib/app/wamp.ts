/**
 * `wamp()`: the app's session on the node's router, joined once per
 * worker over the port the app host handed over.
 *
 * @module
 */
import { messagePortDuplex } from "../wamp/client/duplex.ts";
import { joinRealm } from "../wamp/client/join.ts";
import { createAppSession } from "./app_session.ts";
import type { AppSession } from "./app_session.ts";
import { WampUnavailableError } from "./errors.ts";
import { readAppHost } from "./host_slot.ts";

let joining: Promise<AppSession> | undefined;

/**
 * Resolves with this worker's session on the node's router. The first
 * call joins the realm and role of the path's `wamp` config; later calls
 * return the same session. Each worker of a pool has its own session, and
 * a replaced worker (crash, timeout, recycle) gets a new one: its module
 * runs again, so register and subscribe at module top level (awaiting
 * them there makes the worker take requests only once they are in place).
 * Should the router end the session (`wamp.session.kill`, node shutdown),
 * `session.closed` resolves and its methods reject; the worker goes on
 * serving HTTP without router access until it is replaced.
 *
 * @returns The session.
 * @throws {WampUnavailableError} Outside a hosted app, or when the path
 * has no `wamp` config.
 * @throws {WampError} When the router refuses the session.
 *
 * @example Register a procedure and publish from a request
 * ```ts ignore
 * import { wamp } from "crossbar/app";
 *
 * const session = await wamp();
 * await session.register("com.example.add", ([a, b]) => Number(a) + Number(b));
 *
 * export default async function handler(request: Request): Promise<Response> {
 *   await session.publish("com.example.hits", [request.url]);
 *   return new Response("ok");
 * }
 * ```
 */
export function wamp(): Promise<AppSession> {
  return joining ??= join();
}

function join(): Promise<AppSession> {
  const host = readAppHost();
  if (host === undefined) {
    return Promise.reject(
      new WampUnavailableError(
        "Cannot join the router: this code is not running in a hosted app (a worker of a wsgi path)",
      ),
    );
  }
  const access = host.wamp;
  if (access === undefined) {
    return Promise.reject(
      new WampUnavailableError(
        `Cannot join the router: the wsgi path "${host.path}" has no "wamp" config; add "wamp": {"realm": "…", "role": "…"} to it`,
      ),
    );
  }
  // The router end fixes the identity (realm, role, authid) of this port.
  return joinRealm(messagePortDuplex(access.port), {
    realm: access.realm,
    authmethods: ["internal"],
  }).then(createAppSession);
}
