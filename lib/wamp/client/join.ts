/**
 * The client side of the WAMP handshake: HELLO, optional
 * CHALLENGE/AUTHENTICATE, then WELCOME (a {@link WampClient}) or ABORT (a
 * rejected {@link WampError}).
 *
 * @module
 */
import { WAMP_ERRORS, WampError } from "../errors.ts";
import { type Dict, isDict, isId, MESSAGE_TYPES as T } from "../messages.ts";
import type { WampMessage } from "../transport.ts";
import type { WampDuplex } from "./duplex.ts";
import { WampClient } from "./wamp_client.ts";

/** Options for {@link joinRealm}. */
export interface JoinOptions {
  /** Realm to join. */
  realm: string;
  /** Auth methods to offer. @default {["anonymous"]} */
  authmethods?: string[];
  /** Authid to claim. */
  authid?: string;
  /** Extra authentication data (HELLO `authextra`). */
  authextra?: Dict;
  /** Answers a CHALLENGE with the AUTHENTICATE signature. */
  onChallenge?: (method: string, extra: Dict) => string | Promise<string>;
}

/** Client roles and features this client announces. */
export const CLIENT_ROLES: Dict = {
  caller: {
    features: {
      caller_identification: true,
      progressive_call_results: true,
      call_canceling: true,
      call_timeout: true,
    },
  },
  callee: {
    features: {
      caller_identification: true,
      pattern_based_registration: true,
      shared_registration: true,
      progressive_call_results: true,
      call_canceling: true,
    },
  },
  publisher: {
    features: {
      publisher_identification: true,
      subscriber_blackwhite_listing: true,
      publisher_exclusion: true,
    },
  },
  subscriber: {
    features: {
      publisher_identification: true,
      pattern_based_subscription: true,
    },
  },
};

/**
 * Joins a realm over `duplex`.
 *
 * @param duplex A channel to a router.
 * @param options Realm and credentials.
 * @returns The joined client.
 * @throws {WampError} With the ABORT reason when the router refuses.
 */
export function joinRealm(
  duplex: WampDuplex,
  options: JoinOptions,
): Promise<WampClient> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      duplex.onmessage = null;
      duplex.onclose = null;
      duplex.close();
      reject(error);
    };
    duplex.onclose = () =>
      reject(
        new WampError(WAMP_ERRORS.TRANSPORT_LOST, [
          "The connection closed during the handshake",
        ]),
      );
    duplex.onmessage = (message: WampMessage) => {
      if (message[0] === T.WELCOME && isId(message[1]) && isDict(message[2])) {
        resolve(
          new WampClient(duplex, {
            sessionId: message[1],
            details: message[2],
          }),
        );
      } else if (message[0] === T.ABORT) {
        const details = isDict(message[1]) ? message[1] : {};
        const text = typeof details.message === "string"
          ? [details.message]
          : [];
        fail(new WampError(String(message[2]), text));
      } else if (message[0] === T.CHALLENGE && options.onChallenge) {
        const method = String(message[1]);
        const extra = isDict(message[2]) ? message[2] : {};
        Promise.resolve(options.onChallenge(method, extra)).then(
          (signature) => duplex.send([T.AUTHENTICATE, signature, {}]),
          (error) =>
            fail(error instanceof Error ? error : new Error(String(error))),
        );
      } else {
        duplex.send([T.ABORT, {
          message: "Unexpected message during the handshake",
        }, WAMP_ERRORS.PROTOCOL_VIOLATION]);
        fail(
          new WampError(WAMP_ERRORS.PROTOCOL_VIOLATION, [
            `Unexpected message type ${
              String(message[0])
            } during the handshake`,
          ]),
        );
      }
    };
    const details: Dict = {
      roles: CLIENT_ROLES,
      authmethods: options.authmethods ?? ["anonymous"],
    };
    if (options.authid !== undefined) details.authid = options.authid;
    if (options.authextra !== undefined) details.authextra = options.authextra;
    duplex.send([T.HELLO, options.realm, details]);
  });
}
