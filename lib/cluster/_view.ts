/**
 * What one realm looks like on another member: its sessions,
 * subscriptions and registrations, rebuilt from that member's state
 * operations (see {@link StateOp}).
 *
 * @module
 */
import type { MatchPolicy } from "../wamp/uri.ts";
import { wildcardMatches } from "../wamp/uri.ts";
import type { InvokePolicy } from "../wamp/dealer.ts";

/**
 * One change of a member's realm state:
 * - `["j", session, authid, authrole]` a session joined;
 * - `["l", session]` it left;
 * - `["S", subscription, uri, match, session]` it subscribed;
 * - `["U", subscription, session]` it unsubscribed;
 * - `["R", registration, uri, match, invoke, createdMs, session]` it registered;
 * - `["D", registration, session]` it unregistered.
 */
export type StateOp =
  | ["j", number, string, string]
  | ["l", number]
  | ["S", number, string, MatchPolicy, number]
  | ["U", number, number]
  | ["R", number, string, MatchPolicy, InvokePolicy, number, number]
  | ["D", number, number];

/** A subscription on another member. */
export interface RemoteSubscription {
  /** Its id there. */
  readonly id: number;
  /** Topic or pattern. */
  readonly uri: string;
  /** Match policy. */
  readonly match: MatchPolicy;
  /** Pattern components (wildcard). */
  readonly parts: readonly string[];
  /** Subscriber session ids. */
  readonly subscribers: Set<number>;
}

/** A registration on another member. */
export interface RemoteRegistration {
  /** Its id there. */
  readonly id: number;
  /** Procedure or pattern. */
  readonly uri: string;
  /** Match policy. */
  readonly match: MatchPolicy;
  /** Pattern components (wildcard). */
  readonly parts: readonly string[];
  /** Invocation policy. */
  readonly invoke: InvokePolicy;
  /** Creation time (ms since the epoch). */
  readonly created: number;
  /** Callee session ids, in registration order. */
  readonly callees: number[];
}

/** One member's view of one realm. */
export class RealmView {
  /** Sessions: id → [authid, authrole]. */
  readonly sessions: Map<number, [string, string]> = new Map();
  /** Subscriptions by id. */
  readonly subscriptions: Map<number, RemoteSubscription> = new Map();
  /** Registrations by id. */
  readonly registrations: Map<number, RemoteRegistration> = new Map();
  readonly #exactTopics = new Set<string>();
  #patterns = 0;

  /** Applies one operation. */
  apply(op: StateOp): void {
    switch (op[0]) {
      case "j":
        this.sessions.set(op[1], [op[2], op[3]]);
        return;
      case "l":
        this.sessions.delete(op[1]);
        return;
      case "S": {
        let sub = this.subscriptions.get(op[1]);
        if (sub === undefined) {
          sub = {
            id: op[1],
            uri: op[2],
            match: op[3],
            parts: op[3] === "wildcard" ? op[2].split(".") : [],
            subscribers: new Set(),
          };
          this.subscriptions.set(sub.id, sub);
          if (sub.match === "exact") this.#exactTopics.add(sub.uri);
          else this.#patterns++;
        }
        sub.subscribers.add(op[4]);
        return;
      }
      case "U": {
        const sub = this.subscriptions.get(op[1]);
        if (sub === undefined) return;
        sub.subscribers.delete(op[2]);
        if (sub.subscribers.size > 0) return;
        this.subscriptions.delete(sub.id);
        if (sub.match === "exact") this.#exactTopics.delete(sub.uri);
        else this.#patterns--;
        return;
      }
      case "R": {
        let reg = this.registrations.get(op[1]);
        if (reg === undefined) {
          reg = {
            id: op[1],
            uri: op[2],
            match: op[3],
            parts: op[3] === "wildcard" ? op[2].split(".") : [],
            invoke: op[4],
            created: op[5],
            callees: [],
          };
          this.registrations.set(reg.id, reg);
        }
        if (!reg.callees.includes(op[6])) reg.callees.push(op[6]);
        return;
      }
      case "D": {
        const reg = this.registrations.get(op[1]);
        if (reg === undefined) return;
        const i = reg.callees.indexOf(op[2]);
        if (i >= 0) reg.callees.splice(i, 1);
        if (reg.callees.length === 0) this.registrations.delete(reg.id);
        return;
      }
    }
  }

  /** Whether an event on `topic` reaches a subscription here. */
  wants(topic: string): boolean {
    if (this.#exactTopics.has(topic)) return true;
    if (this.#patterns === 0) return false;
    let parts: string[] | undefined;
    for (const sub of this.subscriptions.values()) {
      if (sub.match === "prefix" && topic.startsWith(sub.uri)) return true;
      if (sub.match === "wildcard") {
        parts ??= topic.split(".");
        if (wildcardMatches(sub.parts, parts)) return true;
      }
    }
    return false;
  }

  /** The registration for exactly (`uri`, `match`), if any. */
  lookupRegistration(
    uri: string,
    match: MatchPolicy,
  ): RemoteRegistration | undefined {
    for (const reg of this.registrations.values()) {
      if (reg.uri === uri && reg.match === match) return reg;
    }
    return undefined;
  }

  /** The subscription for exactly (`uri`, `match`), if any. */
  lookupSubscription(
    uri: string,
    match: MatchPolicy,
  ): RemoteSubscription | undefined {
    for (const sub of this.subscriptions.values()) {
      if (sub.uri === uri && sub.match === match) return sub;
    }
    return undefined;
  }
}
