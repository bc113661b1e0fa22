/**
 * Transport authentication (`auth`): one entry per method, each `static`
 * or `dynamic`. Secrets written as `${VAR}` stay as strings here; the
 * authentication layer reads the environment when it uses them.
 *
 * @module
 */

import * as v from "valibot";
import { describeValue } from "../_messages.ts";
import {
  byType,
  dict,
  expected,
  int,
  str,
  strict,
  unsupported,
} from "./common.ts";

const HEX_KEY_REGEXP = /^[0-9a-fA-F]{64}$/;

function dynamic() {
  return strict({
    type: v.literal("dynamic"),
    /** URI of the procedure that authenticates. */
    authenticator: str(),
    /** Realm where `authenticator` is registered; default: the session's. */
    "authenticator-realm": v.exactOptional(str()),
    /** Role of the authenticator's caller (accepted). */
    "authenticator-role": v.exactOptional(str()),
  }, "an object (dynamic authentication)");
}

const kinds = (method: string) => ({
  kind: `${method} authentication`,
  unsupported: ["function"],
});

/** Anonymous authentication. */
export const AnonymousAuthSchema = byType({
  static: strict({
    type: v.literal("static"),
    /** Role given to anonymous sessions. @default "anonymous" */
    role: v.optional(str(), "anonymous"),
    /** Fixed authid; default: a random one per session. */
    authid: v.exactOptional(str()),
    /** Realm to restrict to. */
    realm: v.exactOptional(str()),
  }, "an object (anonymous authentication)"),
  dynamic: dynamic(),
}, kinds("anonymous"));

/** Ticket authentication. */
export const TicketAuthSchema = byType({
  static: strict({
    type: v.literal("static"),
    /** authid → ticket (may be `${VAR}`) and role. */
    principals: dict(
      strict({
        ticket: str(),
        role: str(),
        realm: v.exactOptional(str()),
      }, "an object (a principal)"),
      "an object (authids to principals)",
    ),
  }, "an object (ticket authentication)"),
  dynamic: dynamic(),
}, kinds("ticket"));

/** WAMP-CRA authentication. */
export const WampCraAuthSchema = byType({
  static: strict({
    type: v.literal("static"),
    /** authid → secret (may be `${VAR}`), role and optional key salting. */
    users: dict(
      strict({
        secret: str(),
        role: str(),
        salt: v.exactOptional(str()),
        iterations: v.exactOptional(int(1)),
        keylen: v.exactOptional(int(1)),
        realm: v.exactOptional(str()),
      }, "an object (a user)"),
      "an object (authids to users)",
    ),
  }, "an object (wampcra authentication)"),
  dynamic: dynamic(),
}, kinds("wampcra"));

const HexKeySchema = v.pipe(
  str(),
  v.check(
    (s) => HEX_KEY_REGEXP.test(s),
    (issue) =>
      `expected a public key of 64 hex characters, found ${
        describeValue(issue.input)
      }`,
  ),
);

/** WAMP-cryptosign authentication. */
export const CryptosignAuthSchema = byType({
  static: strict({
    type: v.literal("static"),
    /** authid → authorized Ed25519 public keys (hex) and role. */
    principals: v.optional(
      dict(
        strict({
          authorized_keys: v.array(
            HexKeySchema,
            expected("a list of public keys"),
          ),
          role: str(),
          realm: v.exactOptional(str()),
        }, "an object (a principal)"),
        "an object (authids to principals)",
      ),
      () => ({}),
    ),
    trustroots: unsupported(
      "cryptosign trustroots (certificate chains) are not supported yet",
    ),
  }, "an object (cryptosign authentication)"),
  dynamic: dynamic(),
}, kinds("cryptosign"));

const later = (method: string) =>
  unsupported(`${method} authentication is not supported yet`);

/** The `auth` object of a WebSocket transport or path service. */
export const AuthSchema = strict({
  anonymous: v.exactOptional(AnonymousAuthSchema),
  ticket: v.exactOptional(TicketAuthSchema),
  wampcra: v.exactOptional(WampCraAuthSchema),
  cryptosign: v.exactOptional(CryptosignAuthSchema),
  scram: later("scram"),
  tls: later("tls"),
  cookie: later("cookie"),
  "anonymous-proxy": later("anonymous-proxy"),
  "cryptosign-proxy": later("cryptosign-proxy"),
}, "an object (authentication methods)");
