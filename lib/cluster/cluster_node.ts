/**
 * A node process joined to a cluster: one NATS connection, membership by
 * heartbeats, and a {@link RealmLink} per realm of its routers.
 *
 * Message lifecycle between members (all MessagePack over NATS):
 * 1. Each member's state changes (`_observe.ts`) are broadcast as numbered
 *    operations on `crossbar.<cluster>.chg`; a member that sees a gap (or a
 *    new member, or a heartbeat with another version) fetches the whole
 *    state from that member's inbox instead (`membership.ts`).
 * 2. Events, calls, cancels and results go to the inbox of the member
 *    concerned, `crossbar.<cluster>.node.<id>` (`realm_link.ts`); under
 *    load, several in one message (`_outbox.ts`). Between members on the
 *    same host they take a Unix socket instead (`_host_link.ts`).
 * 3. A member that stops cleanly says goodbye; one that dies is dropped
 *    after `failure_timeout`, failing the calls pending on it.
 *
 * @module
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Logger } from "../log/mod.ts";
import type { Realm } from "../wamp/realm.ts";
import type { Dict } from "../wamp/messages.ts";
import type { WampMessage } from "../wamp/transport.ts";
import { connectNats, type NatsLink, type NatsSettings } from "./connection.ts";
import { type Member, Membership } from "./membership.ts";
import { RealmLink } from "./realm_link.ts";
import { pack, type Subjects, subjects, unpack, unpackAll } from "./_wire.ts";
import { Outbox } from "./_outbox.ts";
import { HostLinks } from "./_host_link.ts";
import { retainedSubject } from "./_retained.ts";
import type { StateOp } from "./_view.ts";

/** Options for {@link joinCluster}. */
export interface JoinClusterOptions {
  /** Cluster name. */
  readonly name: string;
  /** How to reach NATS. */
  readonly nats: NatsSettings;
  /** Heartbeat period (ms). */
  readonly heartbeatInterval: number;
  /** Silence after which a member is dead (ms). */
  readonly failureTimeout: number;
  /** The realms of this node's routers. */
  readonly realms: readonly Realm[];
  /** Where the cluster logs. */
  readonly logger: Logger;
  /** Process index on this host. @default {0} */
  readonly process?: number;
  /** The node directory (relative NATS TLS paths start there). @default {"."} */
  readonly cbdir?: string;
  /** Whether members on this host exchange records over Unix sockets. */
  readonly hostLinks: boolean;
}

/** A member as shown by node info and the metrics. */
export interface MemberSummary {
  /** Member id. */
  readonly id: string;
  /** Host name. */
  readonly host: string;
  /** Process id. */
  readonly pid: number;
  /** Process index on its host. */
  readonly process: number;
  /** Start time (ISO). */
  readonly started: string;
  /** Whether this is the member answering. */
  readonly self: boolean;
  /** Whether records to it take a host link (a Unix socket) here. */
  readonly hostLink: boolean;
}

/** A running cluster member. */
export interface ClusterNode extends AsyncDisposable {
  /** This member's id. */
  readonly id: string;
  /** Cluster name. */
  readonly name: string;
  /** Whether NATS is up. */
  readonly connected: boolean;
  /** Every live member, this one first. */
  members(): MemberSummary[];
  /** Leaves the cluster (goodbye, then closes NATS); idempotent. */
  close(): Promise<void>;
}

/**
 * Connects to NATS and joins the cluster.
 *
 * @param options Cluster settings and the realms to share.
 * @returns The member.
 * @throws {ClusterError} When NATS cannot be reached.
 */
export async function joinCluster(
  options: JoinClusterOptions,
): Promise<ClusterNode> {
  const id = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  const holder: { node?: Member_ } = {};
  const link = await connectNats(options.nats, {
    name: `crossbar-deno ${options.name} ${id}`,
    logger: options.logger,
    onState: (up) => holder.node?.connectionChanged(up),
    ...(options.cbdir !== undefined && { cbdir: options.cbdir }),
  });
  let hostLinks: HostLinks | undefined;
  if (options.hostLinks) {
    const inbox = subjects(options.name).inbox;
    hostLinks = await HostLinks.open({
      self: id,
      receive: (data) => holder.node?.receive(data),
      viaNats: (node, data) => {
        if (link.connected) link.nc.publish(inbox(node), data);
      },
      logger: options.logger,
    }).catch((error) => {
      options.logger.warn(
        `Cluster: no host links (${
          (error as Error).message
        }); records to members on this host go through NATS`,
      );
      return undefined;
    });
  }
  const node = new Member_(id, options, link, hostLinks);
  holder.node = node;
  node.start();
  await node.catchUp();
  return node.handle();
}

/** The implementation behind {@link ClusterNode}. */
class Member_ {
  readonly #id: string;
  readonly #options: JoinClusterOptions;
  readonly #link: NatsLink;
  readonly #nc: NatsConnection;
  readonly #subjects: Subjects;
  /** Records that may take a host link (calls, results, events). */
  readonly #outbox: Outbox;
  /** Meta events and notices: through NATS, in order with state changes. */
  readonly #controlOutbox: Outbox;
  readonly #hostLinks: HostLinks | undefined;
  readonly #links = new Map<string, RealmLink>();
  readonly #membership: Membership;
  readonly #seen = new Map<string, number>();
  readonly #fetching = new Set<string>();
  readonly #subs: Subscription[] = [];
  readonly #started = new Date().toISOString();
  #version = 0;
  #closing: Promise<void> | undefined;

  constructor(
    id: string,
    options: JoinClusterOptions,
    link: NatsLink,
    hostLinks: HostLinks | undefined,
  ) {
    this.#id = id;
    this.#options = options;
    this.#link = link;
    this.#nc = link.nc;
    this.#hostLinks = hostLinks;
    this.#subjects = subjects(options.name);
    this.#outbox = this.#makeOutbox(hostLinks);
    this.#controlOutbox = hostLinks === undefined
      ? this.#outbox
      : this.#makeOutbox(undefined);
    for (const realm of options.realms) {
      if (this.#links.has(realm.name)) continue;
      const realmLink = new RealmLink(realm, {
        id,
        get connected() {
          return link.connected;
        },
        send: (node, message) => this.#send(node, message),
        request: (node, message) => this.#request(node, message),
        requestAny: (message) => this.#requestAny(message),
        changed: (name, op) => this.#changed(name, op),
      });
      this.#links.set(realm.name, realmLink);
      realm.backplane = realmLink;
    }
    this.#membership = new Membership(this.#nc, {
      self: {
        id,
        host: Deno.hostname(),
        pid: Deno.pid,
        process: options.process ?? 0,
        started: this.#started,
        ...(hostLinks !== undefined && { link: hostLinks.address }),
      },
      subjects: this.#subjects,
      interval: options.heartbeatInterval,
      timeout: options.failureTimeout,
      version: () => this.#version,
      onUp: (member) => {
        options.logger.info(
          `Cluster member ${member.id} joined (${member.host}, pid ${member.pid})`,
        );
        hostLinks?.known(member.id, member.link);
        this.#membership.beat();
      },
      onDown: (member, reason) => this.#down(member, reason),
      onVersion: (member) => this.#fetch(member.id),
    });
  }

  start(): void {
    this.#subs.push(
      this.#nc.subscribe(this.#subjects.inbox(this.#id), {
        callback: (error, msg) => {
          if (error !== null) return;
          this.receive(
            msg.data,
            msg.reply ? (reply) => msg.respond(pack(reply)) : undefined,
          );
        },
      }),
      this.#nc.subscribe(this.#subjects.changes, {
        callback: (error, msg) => {
          if (error !== null) return;
          this.#guard("change", () => {
            const change = unpack(msg.data);
            if (Array.isArray(change)) this.#change(change);
          });
        },
      }),
    );
    this.#subs.push(
      this.#nc.subscribe(retainedSubject(this.#options.name), {
        queue: "retained",
        callback: (error, msg) => {
          if (error !== null || !msg.reply) return;
          this.#guard("retained", () => {
            msg.respond(pack(this.#inbox(unpack(msg.data) as unknown[])));
          });
        },
      }),
    );
    this.#membership.start();
  }

  /**
   * Fetches the cluster's retained events from any one member (a queue
   * group), then says it has joined.
   */
  async catchUp(): Promise<void> {
    for (const link of this.#links.values()) await link.retained.fetch();
    this.#options.logger.info(
      `Joined cluster "${this.#options.name}" as member ${this.#id} (NATS ${
        this.#options.nats.servers.join(", ")
      })`,
    );
  }

  /**
   * Handles an inbox message (from NATS or a host link): one record, or
   * several (a batch from the sender's outbox, never with a reply).
   */
  receive(data: Uint8Array, respond?: (reply: unknown) => void): void {
    let records: unknown[] = [];
    this.#guard("inbox", () => records = unpackAll(data));
    for (const record of records) {
      this.#guard("inbox", () => {
        const reply = this.#inbox(record as unknown[]);
        if (reply !== undefined) respond?.(reply);
      });
    }
  }

  /**
   * Runs the handling of one NATS message: a malformed one (NATS is shared
   * by every member, so it is not fully trusted) is logged and dropped.
   */
  #guard(what: string, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.#options.logger.warn(
        `Cluster: dropped a malformed ${what} message: ${
          (error as Error).message
        }`,
      );
    }
  }

  handle(): ClusterNode {
    const close = () => this.#close();
    const link = this.#link;
    return {
      id: this.#id,
      name: this.#options.name,
      get connected(): boolean {
        return link.connected;
      },
      members: () => this.#members(),
      close,
      [Symbol.asyncDispose]: close,
    };
  }

  connectionChanged(up: boolean): void {
    if (!up) {
      for (const link of this.#links.values()) {
        link.failPending(
          "The call's callee is on another cluster member and the NATS connection was lost",
        );
      }
      return;
    }
    // Back: tell everyone our version; they fetch what they missed.
    this.#membership.beat();
    for (const link of this.#links.values()) {
      link.retained.reconnected(link.views().keys());
    }
  }

  #members(): MemberSummary[] {
    const self: MemberSummary = {
      id: this.#id,
      host: Deno.hostname(),
      pid: Deno.pid,
      process: this.#options.process ?? 0,
      started: this.#started,
      self: true,
      hostLink: false,
    };
    const linked = new Set(this.#hostLinks?.linked());
    return [
      self,
      ...this.#membership.others().map((m) => ({
        id: m.id,
        host: m.host,
        pid: m.pid,
        process: m.process,
        started: m.started,
        self: false,
        hostLink: linked.has(m.id),
      })),
    ];
  }

  #send(node: string, message: unknown[]): void {
    if (!this.#link.connected) return;
    // A meta event says what a state change (on NATS) did: it must not
    // overtake that change on a host link.
    const control = message[0] === "mi" || message[0] === "rh";
    (control ? this.#controlOutbox : this.#outbox).add(node, message);
  }

  /**
   * Inbox messages leave in batches (`_outbox.ts`), over `hostLinks` to
   * members that have one, else through NATS.
   */
  #makeOutbox(hostLinks: HostLinks | undefined): Outbox {
    const nc = this.#nc;
    const link = this.#link;
    const inbox = this.#subjects.inbox;
    const logger = this.#options.logger;
    return new Outbox({
      publish: (node, data) => {
        if (!link.connected) return;
        if (hostLinks !== undefined) hostLinks.send(node, data);
        else nc.publish(inbox(node), data);
      },
      get maxPayload() {
        return nc.info?.max_payload ?? 1024 * 1024;
      },
      failed: (node, error) =>
        logger.warn(
          `Cluster: cannot send to member ${node}: ${(error as Error).message}`,
        ),
    });
  }

  async #request(node: string, message: unknown[]): Promise<unknown> {
    const reply = await this.#nc.request(
      this.#subjects.inbox(node),
      pack(message),
      { timeout: 2000 },
    );
    return unpack(reply.data);
  }

  async #requestAny(message: unknown[]): Promise<unknown> {
    const reply = await this.#nc.request(
      retainedSubject(this.#options.name),
      pack(message),
      { timeout: 2000 },
    );
    return unpack(reply.data);
  }

  #changed(realm: string, op: StateOp): void {
    this.#version++;
    if (!this.#link.connected) return;
    this.#nc.publish(
      this.#subjects.changes,
      pack([this.#id, this.#version, realm, op]),
    );
  }

  #change([from, version, realm, op]: unknown[]): void {
    if (typeof from !== "string" || from === this.#id) return;
    const seen = this.#seen.get(from);
    if (seen === undefined || version !== seen + 1) {
      this.#fetch(from);
      return;
    }
    this.#seen.set(from, version as number);
    const member = this.#membership.get(from);
    if (member !== undefined) member.version = version as number;
    this.#links.get(realm as string)?.apply(from, op as StateOp);
  }

  /** Fetches member `node`'s whole state (once at a time). */
  #fetch(node: string): void {
    if (this.#fetching.has(node) || !this.#link.connected) return;
    this.#fetching.add(node);
    this.#request(node, ["state"]).then((answer) => {
      const [version, realms] = answer as [number, Record<string, StateOp[]>];
      if (this.#membership.get(node) === undefined) return;
      this.#seen.set(node, version);
      const member = this.#membership.get(node);
      if (member !== undefined) member.version = version;
      for (const [name, link] of this.#links) {
        link.replace(node, realms[name] ?? []);
      }
    }).catch((error) => {
      this.#options.logger.debug(
        `Cluster: cannot fetch the state of member ${node}: ${
          (error as Error).message
        }`,
      );
    }).finally(() => this.#fetching.delete(node));
  }

  #down(member: Member, reason: "timeout" | "goodbye"): void {
    this.#hostLinks?.forget(member.id);
    this.#seen.delete(member.id);
    const why = reason === "goodbye" ? "left the cluster" : "stopped answering";
    this.#options.logger[reason === "goodbye" ? "info" : "warn"](
      `Cluster member ${member.id} (${member.host}, pid ${member.pid}) ${why}`,
    );
    const drop = () => {
      for (const link of this.#links.values()) link.dropNode(member.id, why);
    };
    // What it sent on its host link before saying goodbye comes first.
    if (reason === "goodbye" && this.#hostLinks !== undefined) {
      this.#hostLinks.inboundDone(member.id).then(drop);
    } else drop();
  }

  /** Handles a message to this member's inbox; returns a reply, if any. */
  #inbox(message: unknown[]): unknown {
    if (!Array.isArray(message)) return undefined;
    const kind = message[0];
    if (kind === "state") {
      const realms: Record<string, StateOp[]> = {};
      for (const [name, link] of this.#links) realms[name] = link.snapshot();
      return [this.#version, realms];
    }
    const link = this.#links.get(message[1] as string);
    if (kind === "rq") {
      // Retained events of a realm, one page: [member, entries, next].
      return link?.retained.page(Number(message[2]) || 0) ??
        [this.#id, [], null];
    }
    if (link === undefined) return undefined;
    switch (kind) {
      case "ev":
        link.deliverEvent(
          message[2] as string,
          message[3] as Dict,
          message[4] as Dict,
          message[5] as unknown[],
          message[6],
        );
        return undefined;
      case "rh":
        // "I published retained events while NATS was down: fetch them."
        if (typeof message[2] === "string") {
          link.retained.fetch(message[2], true);
        }
        return undefined;
      case "mi":
        link.deliverInternal(
          message[2] as string,
          message[3] as unknown[],
          message[4] as Dict,
        );
        return undefined;
      case "call":
        link.invoke(
          message[2] as string,
          message[3] as string,
          message[4] as string,
          message[5] as Dict,
          message[6] as [number, string, string, boolean],
          message[7] as unknown[],
        );
        return undefined;
      case "cancel":
        link.cancelFrom(
          message[2] as string,
          message[3] as string,
          message[4] as string,
        );
        return undefined;
      case "res":
        link.result(message[2] as string, message[3] as WampMessage);
        return undefined;
      case "meta":
        return link.answerMeta(message[2] as string, message[3] as unknown[]);
    }
    return undefined;
  }

  #close(): Promise<void> {
    return this.#closing ??= (async () => {
      this.#outbox.flush();
      this.#controlOutbox.flush();
      // Records on host links arrive before the goodbye (`inboundDone`).
      await this.#hostLinks?.close();
      this.#membership.close();
      for (const sub of this.#subs.splice(0)) sub.unsubscribe();
      for (const link of this.#links.values()) {
        link.realm.backplane = undefined;
      }
      await this.#link.close();
    })();
  }
}
