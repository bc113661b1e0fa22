/**
 * WAMP access of a wsgi path's workers: each worker gets its own channel
 * to the node's router, and the router gives the session at its end the
 * realm, role and authid of the path's `wamp` config. Session lifecycle:
 *
 * 1. `_worker_handle.ts`: a new worker gets `connect()`'s port in `init`.
 * 2. `lib/app/wamp.ts` (in the worker): the app's first `wamp()` joins
 *    over that port; the router side is a normal session (meta API, role
 *    permissions).
 * 3. `_worker_handle.ts` `terminate()` (crash, timeout, recycle, close)
 *    closes the link: the session leaves the realm and its registrations
 *    and subscriptions go, with the usual meta events. The replacement
 *    worker runs the app module again and registers anew.
 *
 * @module
 */
import { messagePortDuplex } from "../wamp/client/duplex.ts";
import type { Router } from "../wamp/router.ts";

/** The `wamp` config of a wsgi path. */
export interface WampAccessConfig {
  /** Realm the app's sessions join. */
  realm: string;
  /** Role of the app's sessions. */
  role: string;
  /** Authid of the app's sessions. */
  authid?: string;
}

/** One worker's channel to the router. */
export interface WampLink {
  /** The worker's end; transfer it to the worker. */
  readonly port: MessagePort;
  /** The realm at the other end. */
  readonly realm: string;
  /** Ends the session (the worker is gone). Idempotent. */
  close(): void;
}

/** Hands out router channels for the workers of one wsgi path. */
export class WampAccess {
  readonly #router: Router;
  readonly #identity: { realm: string; authrole: string; authid: string };

  /**
   * Checks the realm and role once.
   *
   * @param router The node's router.
   * @param config The path's `wamp` config.
   * @param path The mount path (the default authid is derived from it).
   * @throws {WampError} `wamp.error.no_such_realm` / `no_such_role`.
   */
  constructor(router: Router, config: WampAccessConfig, path: string) {
    this.#router = router;
    this.#identity = {
      realm: config.realm,
      authrole: config.role,
      authid: config.authid ?? `wsgi:${path}`,
    };
    this.connect().close();
  }

  /** Opens a channel whose router end is a session with the identity. */
  connect(): WampLink {
    const channel = new MessageChannel();
    const duplex = messagePortDuplex(channel.port1);
    this.#router.acceptLocal(duplex, this.#identity);
    return {
      port: channel.port2,
      realm: this.#identity.realm,
      close: () => {
        duplex.close();
        channel.port2.close();
      },
    };
  }
}
