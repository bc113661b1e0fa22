/**
 * Retained events across the cluster, as if one router kept them: every
 * member keeps every retained event (the last one per topic), and a member
 * that joins later, comes back, or had lost NATS catches up by asking the
 * others for theirs.
 *
 * No JetStream: the local `nats-server` child runs without it and a
 * configured server may not have it. Instead each retained event carries a
 * stamp `[time, member]` (wall-clock ms, raised above the stamp it
 * replaces on that member, so a publish always replaces what its member
 * had); every member keeps the event with the highest stamp for a topic
 * (last writer wins, ties by member id), so all members converge on the
 * same event whatever order they learn of them.
 *
 * How events spread:
 * - live: a retained publication goes to every member (`realm_link.ts`);
 * - joining: before it says "Joined cluster", a member asks any one member
 *   (a NATS queue group) for all its retained events, page by page;
 * - discovery: a member seen for the first time (or again, after it was
 *   dropped) is asked for its retained events;
 * - reconnect: after a NATS outage a member asks every member again, and
 *   if it published retained events meanwhile it asks them to ask it.
 *
 * Catching up only fills the retained store (no EVENT is sent to current
 * subscribers); `get_retained` then delivers with the same filters
 * (`exclude`/`eligible` by session, authid, authrole) and the same
 * SUBSCRIBE authorization as for a local event. Retained events live in
 * memory, as in Crossbar: they are lost when every member has stopped.
 *
 * @module
 */
import type { Dict } from "../wamp/messages.ts";
import type { Realm } from "../wamp/realm.ts";
import { pack } from "./_wire.ts";

/** Who kept a retained event when: `[wall-clock ms, member id]`. */
export type Stamp = [number, string];

/** One retained event: `[topic, stamp, options, details, payload]`. */
export type RetainedEntry = [string, Stamp, Dict, Dict, unknown[]];

/** A page of retained events: `[member, entries, next offset or null]`. */
export type RetainedPage = [string, RetainedEntry[], number | null];

/** What {@link RetainedEvents} needs from its cluster member. */
export interface RetainedHost {
  /** This member's id. */
  readonly id: string;
  /** Whether NATS is up. */
  readonly connected: boolean;
  /** Sends a message to member `node`'s inbox. */
  send(node: string, message: unknown[]): void;
  /** Asks member `node`. */
  request(node: string, message: unknown[]): Promise<unknown>;
  /** Asks any one member (a queue group); rejects when there is none. */
  requestAny(message: unknown[]): Promise<unknown>;
}

/** Encoded bytes of one page at most (NATS refuses payloads over 1 MiB). */
const PAGE_BYTES = 256 * 1024;

/** The subject of the queue group that answers joining members. */
export function retainedSubject(cluster: string): string {
  return `crossbar.${cluster}.ret`;
}

/** Whether stamp `a` wins over `b`. */
function newer(a: Stamp, b: Stamp): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
}

function isStamp(value: unknown): value is Stamp {
  return Array.isArray(value) && value.length === 2 &&
    typeof value[0] === "number" && Number.isFinite(value[0]) &&
    typeof value[1] === "string";
}

function isDict(value: unknown): value is Dict {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One realm's retained events as the cluster knows them. */
export class RetainedEvents {
  readonly #realm: Realm;
  readonly #host: RetainedHost;
  readonly #entries = new Map<string, RetainedEntry>();
  /** Members whose retained events were fetched since they appeared. */
  readonly #fetched = new Set<string>();
  readonly #fetching = new Set<string>();
  /** Retained events were published here while NATS was down. */
  #unshared = false;

  /**
   * @param realm The realm whose broker keeps the events.
   * @param host The cluster member.
   */
  constructor(realm: Realm, host: RetainedHost) {
    this.#realm = realm;
    this.#host = host;
  }

  /**
   * A session here published a retained event (the broker kept it):
   * stamps it.
   *
   * @param topic The topic.
   * @param options The PUBLISH options other members need (filters).
   * @param details EVENT.Details as built here.
   * @param payload `[Arguments?, ArgumentsKw?]`.
   * @returns The stamp to send with the event.
   */
  published(
    topic: string,
    options: Dict,
    details: Dict,
    payload: unknown[],
  ): Stamp {
    const current = this.#entries.get(topic);
    const time = Math.max(
      Date.now(),
      current === undefined ? 0 : current[1][0] + 1,
    );
    const stamp: Stamp = [time, this.#host.id];
    this.#entries.set(topic, [topic, stamp, options, details, payload]);
    if (!this.#host.connected) this.#unshared = true;
    return stamp;
  }

  /**
   * A retained event published on another member arrived live: whether it
   * is the newest for its topic (then the broker keeps it as it delivers
   * it; else it is delivered as a plain event only).
   *
   * @param topic The topic.
   * @param stamp Its stamp, as received.
   * @param options Its PUBLISH options (filters).
   * @param details EVENT.Details.
   * @param payload `[Arguments?, ArgumentsKw?]`.
   * @returns Whether to retain it.
   */
  received(
    topic: string,
    stamp: unknown,
    options: Dict,
    details: Dict,
    payload: unknown[],
  ): boolean {
    if (!isStamp(stamp)) return false;
    const current = this.#entries.get(topic);
    if (current !== undefined && !newer(stamp, current[1])) return false;
    this.#entries.set(topic, [topic, stamp, options, details, payload]);
    return true;
  }

  /**
   * The retained events from `offset` on, as many as fit in one message.
   *
   * @param offset Where the previous page ended.
   * @returns The page.
   */
  page(offset: number): RetainedPage {
    const entries: RetainedEntry[] = [];
    let bytes = 0;
    let index = 0;
    for (const entry of this.#entries.values()) {
      if (index++ < offset) continue;
      const size = pack(entry).length;
      if (entries.length > 0 && bytes + size > PAGE_BYTES) {
        return [this.#host.id, entries, index - 1];
      }
      entries.push(entry);
      bytes += size;
    }
    return [this.#host.id, entries, null];
  }

  /**
   * Fetches member `node`'s retained events (any one member's when
   * `node` is absent), unless already fetched since it appeared.
   *
   * @param node The member, if a particular one.
   * @param again Fetch even if fetched before.
   */
  async fetch(node?: string, again = false): Promise<void> {
    const key = node ?? "";
    if (node !== undefined && !again && this.#fetched.has(node)) return;
    if (this.#fetching.has(key) || !this.#host.connected) return;
    this.#fetching.add(key);
    try {
      let from = node;
      let offset = 0;
      while (true) {
        const ask: unknown[] = ["rq", this.#realm.name, offset];
        const answer = from === undefined
          ? await this.#host.requestAny(ask)
          : await this.#host.request(from, ask);
        if (!Array.isArray(answer) || typeof answer[0] !== "string") return;
        const [member, entries, next] = answer as RetainedPage;
        from ??= member;
        this.#fetched.add(member);
        if (Array.isArray(entries)) { for (const e of entries) this.#keep(e); }
        if (typeof next !== "number" || next <= offset) return;
        offset = next;
      }
    } catch (error) {
      // No other member (no responders), or it left meanwhile.
      this.#realm.logger.debug(
        `Cluster: cannot fetch the retained events of ${node ?? "a member"}: ${
          (error as Error).message
        }`,
      );
    } finally {
      this.#fetching.delete(key);
    }
  }

  /** Member `node` is gone: fetch again should it come back. */
  forget(node: string): void {
    this.#fetched.delete(node);
  }

  /**
   * NATS is back: fetch every member's retained events again, and if
   * some were published here meanwhile, ask the members to fetch ours.
   *
   * @param members The members known now.
   */
  reconnected(members: Iterable<string>): void {
    const unshared = this.#unshared;
    this.#unshared = false;
    for (const node of members) {
      this.fetch(node, true);
      if (unshared) {
        this.#host.send(node, ["rh", this.#realm.name, this.#host.id]);
      }
    }
  }

  /** Keeps a fetched event if it is the newest for its topic (no EVENT). */
  #keep(entry: unknown): void {
    if (!Array.isArray(entry) || entry.length !== 5) return;
    const [topic, stamp, options, details, payload] = entry;
    if (
      typeof topic !== "string" || !isStamp(stamp) || !isDict(options) ||
      !isDict(details) || !Array.isArray(payload)
    ) {
      this.#realm.logger.warn("Cluster: dropped a malformed retained event");
      return;
    }
    const current = this.#entries.get(topic);
    if (current !== undefined && !newer(stamp, current[1])) return;
    try {
      this.#realm.broker.keepRetained(topic, options, details, payload);
    } catch (error) {
      this.#realm.logger.warn(
        `Cluster: dropped a retained event on "${topic}": ${
          (error as Error).message
        }`,
      );
      return;
    }
    this.#entries.set(topic, [topic, stamp, options, details, payload]);
  }
}
