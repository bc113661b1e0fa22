/**
 * Private: testaments of the session meta API (`wamp.session.add_testament`,
 * `wamp.session.flush_testaments`), as Crossbar keeps them: events a session
 * leaves behind, published by the router when the session goes away.
 *
 * @module
 */
import { WAMP_ERRORS, WampError } from "./errors.ts";
import { type Dict, isDict } from "./messages.ts";
import type { Peer } from "./peer.ts";
import { isValidUri } from "./uri.ts";

/** One event to publish when its session leaves. */
export interface Testament {
  /** Topic. */
  readonly topic: string;
  /** Positional payload. */
  readonly args: unknown[];
  /** Keyword payload. */
  readonly kwargs: Dict;
}

/** Testament scopes: Crossbar's `destroyed` (default) and `detached`. */
const SCOPES: ReadonlySet<string> = new Set(["destroyed", "detached"]);

/** Most testaments one session may hold. */
const LIMIT = 100;

function readScope(kwargs: Dict): string {
  const scope = kwargs.scope ?? "destroyed";
  if (typeof scope !== "string" || !SCOPES.has(scope)) {
    throw new WampError(WAMP_ERRORS.INVALID_ARGUMENT, [
      'scope must be "destroyed" or "detached"',
    ]);
  }
  return scope;
}

/** The testaments of a realm's sessions, by session and scope. */
export class Testaments<P extends Peer> {
  readonly #held = new Map<P, Map<string, Testament[]>>();

  /**
   * `wamp.session.add_testament(topic, args, kwargs, scope=)`.
   *
   * @throws {WampError} For an invalid topic, payload or scope.
   */
  add(peer: P, args: unknown[], kwargs: Dict): null {
    const [topic, list = [], dict = {}] = args;
    if (typeof topic !== "string" || !isValidUri(topic, "exact", "loose")) {
      throw new WampError(WAMP_ERRORS.INVALID_URI, [
        "topic must be a valid URI",
      ]);
    }
    if (!Array.isArray(list) || !isDict(dict)) {
      throw new WampError(WAMP_ERRORS.INVALID_ARGUMENT, [
        "args must be a list and kwargs a dictionary",
      ]);
    }
    const scope = readScope(kwargs);
    let scopes = this.#held.get(peer);
    if (scopes === undefined) {
      scopes = new Map();
      this.#held.set(peer, scopes);
    }
    const held = scopes.get(scope) ?? [];
    if (held.length >= LIMIT) {
      throw new WampError(WAMP_ERRORS.INVALID_ARGUMENT, [
        `A session may hold at most ${LIMIT} testaments`,
      ]);
    }
    held.push({ topic, args: list, kwargs: dict });
    scopes.set(scope, held);
    return null;
  }

  /** `wamp.session.flush_testaments(scope=)`: drops them, returns how many. */
  flush(peer: P, kwargs: Dict): number {
    const scope = readScope(kwargs);
    const held = this.#held.get(peer)?.get(scope) ?? [];
    this.#held.get(peer)?.delete(scope);
    return held.length;
  }

  /** Removes and returns every testament of a leaving session. */
  take(peer: P): Testament[] {
    const scopes = this.#held.get(peer);
    if (scopes === undefined) return [];
    this.#held.delete(peer);
    return [...scopes.get("detached") ?? [], ...scopes.get("destroyed") ?? []];
  }
}
