/**
 * Private: dealer option readers (validated at the boundary) and the
 * callee choice of shared registrations.
 *
 * @module
 */
import { ProtocolViolationError } from "./errors.ts";
import type { Dict } from "./messages.ts";
import type { Peer } from "./peer.ts";

/** Invocation policies of shared registrations. */
export const INVOKE_POLICIES = [
  "single",
  "roundrobin",
  "random",
  "first",
  "last",
] as const;

/** One of {@link INVOKE_POLICIES}. */
export type InvokePolicy = typeof INVOKE_POLICIES[number];

/** What {@link pickCallee} needs of a registration. */
export interface SharedCallees<P extends Peer> {
  /** Invocation policy. */
  readonly invoke: InvokePolicy;
  /** Callees in registration order. */
  readonly callees: P[];
  /** Round-robin cursor. */
  next: number;
}

/** Valid CANCEL modes. */
export const CANCEL_MODES: ReadonlySet<string> = new Set([
  "skip",
  "kill",
  "killnowait",
]);

/** Reads REGISTER `invoke` (default single). */
export function readInvoke(options: Dict): InvokePolicy {
  const invoke = options.invoke ?? "single";
  if (!(INVOKE_POLICIES as readonly unknown[]).includes(invoke)) {
    throw new ProtocolViolationError(
      `Invalid REGISTER: option "invoke" must be one of ${
        INVOKE_POLICIES.join(", ")
      }`,
    );
  }
  return invoke as InvokePolicy;
}

/** Reads CALL `timeout` in ms (0 = none). */
export function readTimeout(options: Dict): number {
  const timeout = options.timeout;
  if (timeout === undefined || timeout === null) return 0;
  if (
    typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 0
  ) {
    throw new ProtocolViolationError(
      'Invalid CALL: option "timeout" must be a non-negative integer (milliseconds)',
    );
  }
  return Math.min(timeout, 2_147_483_647);
}

/** Picks the callee for one call by the invocation policy. */
export function pickCallee<P extends Peer>(
  registration: SharedCallees<P>,
): P {
  const callees = registration.callees;
  switch (registration.invoke) {
    case "roundrobin": {
      const index = registration.next++ % callees.length;
      if (registration.next >= callees.length) registration.next = 0;
      return callees[index]!;
    }
    case "random":
      return callees[Math.floor(Math.random() * callees.length)]!;
    case "last":
      return callees[callees.length - 1]!;
    default:
      return callees[0]!;
  }
}
