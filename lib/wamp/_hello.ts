/**
 * Private: reads a HELLO at the boundary into what the handshake needs.
 *
 * @module
 */
import { ProtocolViolationError } from "./errors.ts";
import { type Dict, isDict } from "./messages.ts";
import type { WampMessage } from "./transport.ts";

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
  readonly features: ClientFeatures;
}

/** Client features that change what the router sends. */
export interface ClientFeatures {
  /** callee.call_canceling */
  readonly calleeCanCancel: boolean;
  /** callee.registration_revocation */
  readonly calleeRevocation: boolean;
  /** subscriber.subscription_revocation */
  readonly subscriberRevocation: boolean;
}

function roleFeatures(roles: Dict | undefined, role: string): Dict {
  const value = roles?.[role];
  const features = isDict(value) ? value.features : undefined;
  return isDict(features) ? features : {};
}

/**
 * Checks the details of a shape-checked HELLO `[1, Realm, Details]`.
 *
 * @throws {ProtocolViolationError} When a known field has the wrong type.
 */
export function readHello(message: WampMessage): Hello {
  const realm = message[1] as string;
  const details = message[2] as Dict;
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
  const roles = details.roles;
  if (roles !== undefined && !isDict(roles)) {
    throw new ProtocolViolationError(
      "Invalid HELLO: roles must be a dictionary",
    );
  }
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
