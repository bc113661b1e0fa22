/**
 * Private: reads a HELLO at the boundary into what the handshake needs.
 *
 * @module
 */
import { ProtocolViolationError } from "./errors.ts";
import { type Dict, type HelloMessage, isDict } from "./messages.ts";
import type { PeerFeatures } from "./peer.ts";

/** A checked HELLO. */
export interface Hello {
  /** Requested realm (non-empty). */
  readonly realm: string;
  /** Offered auth methods, in preference order. */
  readonly authmethods: readonly string[];
  /** Claimed authid, if a string. */
  readonly authid?: string;
  /** Requested authrole, if a string. */
  readonly authrole?: string;
  /** Extra auth data, if a dictionary. */
  readonly authextra?: Dict;
  /** Client features the router acts on. */
  readonly features: PeerFeatures;
}

function roleFeatures(roles: Dict, role: string): Dict {
  const value = roles[role];
  const features = isDict(value) ? value.features : undefined;
  return isDict(features) ? features : {};
}

/** The client roles of WAMP's basic profile. */
const CLIENT_ROLES: ReadonlySet<string> = new Set([
  "publisher",
  "subscriber",
  "caller",
  "callee",
]);

/**
 * Checks HELLO.Details.roles: a dictionary announcing at least one client
 * role (`publisher`, `subscriber`, `caller`, `callee`), as the spec demands
 * and Crossbar enforces. Unknown roles beside a known one are ignored.
 */
function readRoles(roles: unknown): Dict {
  if (roles === undefined) {
    throw new ProtocolViolationError(
      "Invalid HELLO: details.roles is missing (announce at least one of publisher, subscriber, caller, callee)",
    );
  }
  if (!isDict(roles)) {
    throw new ProtocolViolationError(
      "Invalid HELLO: roles must be a dictionary",
    );
  }
  const names = Object.keys(roles);
  if (!names.some((name) => CLIENT_ROLES.has(name))) {
    throw new ProtocolViolationError(
      `Invalid HELLO: details.roles announces no client role (got ${
        names.length === 0 ? "none" : JSON.stringify(names)
      }; expected at least one of publisher, subscriber, caller, callee)`,
    );
  }
  return roles;
}

/**
 * Checks the details of a shape-checked HELLO `[1, Realm, Details]`.
 *
 * @throws {ProtocolViolationError} When a known field has the wrong type.
 */
export function readHello(message: HelloMessage): Hello {
  const [, realm, details] = message;
  const methods = details.authmethods ?? ["anonymous"];
  if (!Array.isArray(methods) || !methods.every((m) => typeof m === "string")) {
    throw new ProtocolViolationError(
      "Invalid HELLO: authmethods must be a list of strings",
    );
  }
  // As Crossbar (`authmethods or ["anonymous"]`): an empty list means anonymous.
  const authmethods: readonly string[] = methods.length > 0
    ? methods
    : ["anonymous"];
  const roles = readRoles(details.roles);
  const { authid, authrole, authextra } = details;
  if (authextra !== undefined && authextra !== null && !isDict(authextra)) {
    throw new ProtocolViolationError(
      "Invalid HELLO: authextra must be a dictionary",
    );
  }
  if (realm.length === 0) {
    throw new ProtocolViolationError("Invalid HELLO: the realm is empty");
  }
  const callee = roleFeatures(roles, "callee");
  return {
    realm,
    authmethods,
    ...(typeof authid === "string" ? { authid } : {}),
    ...(typeof authrole === "string" ? { authrole } : {}),
    ...(isDict(authextra) ? { authextra } : {}),
    features: {
      calleeCanCancel: callee.call_canceling === true,
      calleeRevocation: callee.registration_revocation === true,
      subscriberRevocation:
        roleFeatures(roles, "subscriber").subscription_revocation === true,
    },
  };
}
