/**
 * WAMP id generation: random ids in 1..2^53 for global and router scope,
 * and a sequential counter for session-scope request ids.
 *
 * @module
 */
import { MAX_ID } from "./messages.ts";

const POOL_SIZE = 512;
const pool = new Uint32Array(POOL_SIZE);
let poolIndex = POOL_SIZE;

/**
 * Returns a random id, uniformly drawn from 1..2^53 (global and router
 * scope: session, publication, subscription and registration ids).
 *
 * @returns The id.
 */
export function randomId(): number {
  if (poolIndex >= POOL_SIZE) {
    crypto.getRandomValues(pool);
    poolIndex = 0;
  }
  const high = pool[poolIndex++]! & 0x1fffff;
  const low = pool[poolIndex++]!;
  return high * 0x100000000 + low + 1;
}

/** Sequential ids 1, 2, 3, … wrapping after 2^53 (session scope). */
export class IdCounter {
  #next = 0;

  /** Returns the next id. */
  next(): number {
    this.#next = this.#next >= MAX_ID ? 1 : this.#next + 1;
    return this.#next;
  }
}
