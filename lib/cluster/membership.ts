/**
 * Cluster membership: every member publishes a heartbeat each
 * `heartbeat_interval`; a member not heard from for `failure_timeout` is
 * dead (a member that stops cleanly says goodbye and is gone at once).
 *
 * Heartbeats carry the member's state version, so a member that missed a
 * change (or an outage) notices and fetches the state again.
 *
 * @module
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { pack, type Subjects, unpack } from "./_wire.ts";
import type { HostLinkAddress } from "./_host_link.ts";

/** What a member says about itself. */
export interface MemberInfo {
  /** Member (node process) id, unique in the cluster. */
  readonly id: string;
  /** Host name. */
  readonly host: string;
  /** Process id. */
  readonly pid: number;
  /** Process index on its host (0 when started alone). */
  readonly process: number;
  /** Start time (ISO). */
  readonly started: string;
  /** Its host link listener, if it has one. */
  readonly link?: HostLinkAddress;
}

/** A member as seen from here. */
export interface Member extends MemberInfo {
  /** State version it last announced. */
  version: number;
  /** When it was last heard from (`performance.now()`). */
  lastSeen: number;
}

/** Options for {@link Membership}. */
export interface MembershipOptions {
  /** This member. */
  readonly self: MemberInfo;
  /** The cluster's subjects. */
  readonly subjects: Subjects;
  /** Heartbeat period (ms). */
  readonly interval: number;
  /** Silence after which a member is dead (ms). */
  readonly timeout: number;
  /** This member's current state version. */
  readonly version: () => number;
  /** A member appeared (or came back). */
  readonly onUp: (member: Member) => void;
  /** A member died or left. */
  readonly onDown: (member: Member, reason: "timeout" | "goodbye") => void;
  /** A known member announced a state version other than the one seen. */
  readonly onVersion: (member: Member, version: number) => void;
}

/** The live members of a cluster, kept by heartbeats. */
export class Membership {
  readonly #nc: NatsConnection;
  readonly #options: MembershipOptions;
  readonly #members = new Map<string, Member>();
  readonly #subscriptions: Subscription[] = [];
  #beat: ReturnType<typeof setInterval> | undefined;
  #check: ReturnType<typeof setInterval> | undefined;

  /**
   * @param nc The NATS connection.
   * @param options Self, timing and callbacks.
   */
  constructor(nc: NatsConnection, options: MembershipOptions) {
    this.#nc = nc;
    this.#options = options;
  }

  /** Starts listening and beating. */
  start(): void {
    const { subjects, interval } = this.#options;
    this.#subscriptions.push(
      this.#nc.subscribe(subjects.heartbeat, {
        callback: (error, msg) => {
          if (error !== null) return;
          try {
            this.#heard(unpack(msg.data));
          } catch { /* not a heartbeat of ours: ignored */ }
        },
      }),
      this.#nc.subscribe(subjects.goodbye, {
        callback: (error, msg) => {
          if (error !== null) return;
          let id: unknown;
          try {
            id = unpack(msg.data);
          } catch {
            return;
          }
          const member = typeof id === "string"
            ? this.#members.get(id)
            : undefined;
          if (member !== undefined) this.#down(member, "goodbye");
        },
      }),
    );
    this.beat();
    this.#beat = setInterval(() => this.beat(), interval);
    this.#check = setInterval(
      () => this.#expire(),
      Math.max(25, Math.floor(interval / 2)),
    );
  }

  /** Publishes a heartbeat now (also after a reconnect). */
  beat(): void {
    if (this.#nc.isClosed()) return;
    this.#nc.publish(
      this.#options.subjects.heartbeat,
      pack([this.#options.self, this.#options.version()]),
    );
  }

  /** The live members other than this one. */
  others(): Member[] {
    return [...this.#members.values()];
  }

  /** The member with `id`, if alive. */
  get(id: string): Member | undefined {
    return this.#members.get(id);
  }

  /** Says goodbye and stops (idempotent). */
  close(): void {
    clearInterval(this.#beat);
    clearInterval(this.#check);
    this.#beat = this.#check = undefined;
    for (const sub of this.#subscriptions.splice(0)) sub.unsubscribe();
    if (!this.#nc.isClosed()) {
      this.#nc.publish(
        this.#options.subjects.goodbye,
        pack(this.#options.self.id),
      );
    }
  }

  #heard(data: unknown): void {
    if (!Array.isArray(data)) return;
    const [info, version] = data as [MemberInfo, number];
    if (typeof info?.id !== "string" || info.id === this.#options.self.id) {
      return;
    }
    const known = this.#members.get(info.id);
    if (known === undefined) {
      const member: Member = {
        ...info,
        version: -1,
        lastSeen: performance.now(),
      };
      this.#members.set(info.id, member);
      this.#options.onUp(member);
      if (member.version !== version) this.#options.onVersion(member, version);
      return;
    }
    known.lastSeen = performance.now();
    if (known.version !== version) this.#options.onVersion(known, version);
  }

  #expire(): void {
    const now = performance.now();
    for (const member of [...this.#members.values()]) {
      if (now - member.lastSeen > this.#options.timeout) {
        this.#down(member, "timeout");
      }
    }
  }

  #down(member: Member, reason: "timeout" | "goodbye"): void {
    if (!this.#members.delete(member.id)) return;
    this.#options.onDown(member, reason);
  }
}
