/**
 * Coalesces the messages a member sends to another member's inbox: the
 * records sent to one member while this process is busy leave as one NATS
 * message (a MessagePack stream of records, `unpackAll()` reads it).
 *
 * A WebSocket delivers one WAMP message per event-loop turn, so under load
 * every cross-node call or event would otherwise be its own NATS message
 * and its own socket write here, in `nats-server` and at the receiver.
 * A record to a member nothing was sent to for `maxDelay` ms leaves at
 * once (an idle member adds no latency). Otherwise records wait only while
 * more keep coming: the batch leaves at the end of the first event-loop
 * turn that added nothing to it, or `maxDelay` ms after it began, or when
 * it reaches `maxBytes`. Order per destination is kept.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { pack } from "./_wire.ts";

/** Where batches go. */
export interface OutboxSink {
  /** Publishes `data` (one or more packed records) to member `node`. */
  publish(node: string, data: Uint8Array): void;
  /** Largest payload the server accepts (bytes). */
  readonly maxPayload: number;
  /** A batch sent at the end of a turn failed (nobody else to tell). */
  failed(node: string, error: unknown): void;
}

/** Limits of {@link Outbox}. */
export interface OutboxOptions {
  /** Longest a record waits for company (ms). @default {0.25} */
  readonly maxDelay?: number;
  /** Batch size that leaves at once (bytes). @default {65536} */
  readonly maxBytes?: number;
}

interface Batch {
  readonly records: Uint8Array[];
  bytes: number;
  /** Records counted at the last end-of-turn check. */
  seen: number;
  readonly since: number;
}

/** Per-destination batches of packed records. */
export class Outbox {
  readonly #sink: OutboxSink;
  readonly #maxDelay: number;
  readonly #maxBytes: number;
  readonly #batches = new Map<string, Batch>();
  readonly #lastSent = new Map<string, number>();
  #scheduled = false;

  /**
   * @param sink Where batches are published.
   * @param options Delay and size limits.
   */
  constructor(sink: OutboxSink, options: OutboxOptions = {}) {
    this.#sink = sink;
    this.#maxDelay = options.maxDelay ?? 0.25;
    this.#maxBytes = options.maxBytes ?? 65536;
  }

  /**
   * Queues `message` for member `node`.
   *
   * @throws {RangeError} When the message exceeds the server's payload
   * limit (nothing is queued).
   */
  add(node: string, message: unknown[]): void {
    const record = pack(message);
    const { maxPayload } = this.#sink;
    if (record.length > maxPayload) {
      throw new RangeError(
        `The message to cluster member ${node} has ${record.length} bytes, more than the NATS server's max_payload (${maxPayload})`,
      );
    }
    const limit = Math.min(this.#maxBytes, maxPayload);
    if (record.length >= limit) {
      // Big: what is queued goes first, then this one on its own.
      this.#flushNode(node);
      this.#sent(node, performance.now());
      this.#sink.publish(node, record);
      return;
    }
    let batch = this.#batches.get(node);
    const now = performance.now();
    if (
      batch === undefined &&
      now - (this.#lastSent.get(node) ?? -Infinity) > this.#maxDelay
    ) {
      // Nothing sent there lately: no company to wait for.
      this.#sent(node, now);
      this.#sink.publish(node, record);
      return;
    }
    if (batch !== undefined && batch.bytes + record.length > limit) {
      this.#flushNode(node);
      batch = undefined;
    }
    if (batch === undefined) {
      batch = { records: [], bytes: 0, seen: 0, since: now };
      this.#batches.set(node, batch);
    }
    batch.records.push(record);
    batch.bytes += record.length;
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#check);
    }
  }

  /** Sends everything queued now (before a goodbye or a close). */
  flush(): void {
    for (const node of [...this.#batches.keys()]) this.#flushNode(node);
  }

  /** Forgets everything queued (the connection is down). */
  clear(): void {
    this.#batches.clear();
  }

  /** End of an event-loop turn: send the batches that stopped growing. */
  readonly #check = (): void => {
    this.#scheduled = false;
    const now = performance.now();
    for (const [node, batch] of this.#batches) {
      const grew = batch.records.length > batch.seen;
      if (grew && now - batch.since < this.#maxDelay) {
        batch.seen = batch.records.length;
        continue;
      }
      try {
        this.#flushNode(node);
      } catch (error) {
        this.#sink.failed(node, error);
      }
    }
    if (this.#batches.size > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#check);
    }
  };

  #sent(node: string, now: number): void {
    if (this.#lastSent.size >= 1024) this.#lastSent.clear();
    this.#lastSent.set(node, now);
  }

  #flushNode(node: string): void {
    const batch = this.#batches.get(node);
    if (batch === undefined) return;
    this.#batches.delete(node);
    this.#sent(node, performance.now());
    const { records } = batch;
    if (records.length === 1) {
      this.#sink.publish(node, records[0]!);
      return;
    }
    const data = new Uint8Array(batch.bytes);
    let at = 0;
    for (const record of records) {
      data.set(record, at);
      at += record.length;
    }
    this.#sink.publish(node, data);
  }
}
