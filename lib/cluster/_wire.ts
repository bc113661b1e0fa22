/**
 * The cluster's wire format: MessagePack (it keeps binary payloads of
 * msgpack/CBOR sessions intact) and the NATS subjects of one cluster.
 *
 * @module
 */
import { Decoder, Encoder } from "@msgpack/msgpack";

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

/** Encodes one cluster message. */
export function pack(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/** Decodes one cluster message. */
export function unpack(data: Uint8Array): unknown {
  return decoder.decode(data);
}

/**
 * Decodes a member's inbox message: one or more packed messages one after
 * the other (`_outbox.ts` sends what it coalesced that way). All are
 * decoded before any is handled, so handling may decode again.
 */
export function unpackAll(data: Uint8Array): unknown[] {
  return [...decoder.decodeMulti(data)];
}

/** The NATS subjects of cluster `name`. */
export interface Subjects {
  /** Heartbeats of every member. */
  readonly heartbeat: string;
  /** Goodbyes of members that stop cleanly. */
  readonly goodbye: string;
  /** State changes of every member (broadcast). */
  readonly changes: string;
  /** The direct inbox of member `id`. */
  inbox(id: string): string;
}

/** Subjects for cluster `name` (validated: letters, digits, `_`, `-`). */
export function subjects(name: string): Subjects {
  const base = `crossbar.${name}`;
  return {
    heartbeat: `${base}.hb`,
    goodbye: `${base}.bye`,
    changes: `${base}.chg`,
    inbox: (id) => `${base}.node.${id}`,
  };
}
