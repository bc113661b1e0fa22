/**
 * The minimal message channel an in-process {@link WampClient} talks over,
 * and a connected in-memory pair of them. Messages are plain
 * structured-cloneable arrays, so a channel can also be a `MessagePort`.
 *
 * @module
 */
import type { WampMessage } from "../transport.ts";

/** One end of a bidirectional WAMP message channel. */
export interface WampDuplex {
  /** Sends a message to the other end (dropped once closed). */
  send(message: WampMessage): void;
  /** Receives messages from the other end. */
  onmessage: ((message: WampMessage) => void) | null;
  /** Called once when the channel closes (from either end). */
  onclose: (() => void) | null;
  /** Closes the channel (idempotent). */
  close(): void;
}

class QueuedEnd implements WampDuplex {
  onmessage: ((message: WampMessage) => void) | null = null;
  onclose: (() => void) | null = null;
  peer: QueuedEnd | undefined;
  #closed = false;
  #queue: WampMessage[] = [];
  #scheduled = false;

  send(message: WampMessage): void {
    const peer = this.peer;
    if (this.#closed || peer === undefined || peer.#closed) return;
    peer.#enqueue(message);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    queueMicrotask(() => {
      this.onclose?.();
      this.peer?.close();
    });
  }

  #enqueue(message: WampMessage): void {
    this.#queue.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#drain());
  }

  #drain(): void {
    this.#scheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    for (const message of queue) {
      if (this.#closed) return;
      this.onmessage?.(message);
    }
  }
}

/**
 * Creates two connected in-memory channel ends. Delivery is asynchronous
 * (a microtask) and in order, so neither side re-enters the other.
 *
 * @returns The two ends.
 *
 * @example Send across
 * ```ts
 * import { createDuplexPair } from "./duplex.ts";
 * const [a, b] = createDuplexPair();
 * const got = new Promise((resolve) => (b.onmessage = resolve));
 * a.send([1, "realm1", {}]);
 * if ((await got as unknown[])[1] !== "realm1") throw new Error();
 * a.close();
 * ```
 */
export function createDuplexPair(): [WampDuplex, WampDuplex] {
  const a = new QueuedEnd();
  const b = new QueuedEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/**
 * Wraps a `MessagePort` (e.g. one end of a `MessageChannel` handed to a
 * Web Worker) as a {@link WampDuplex}. Messages are structured-cloned; a
 * `null` message is the close signal.
 *
 * @param port The port; it is started.
 * @returns The channel end.
 */
export function messagePortDuplex(port: MessagePort): WampDuplex {
  let closed = false;
  const duplex: WampDuplex = {
    onmessage: null,
    onclose: null,
    send(message) {
      if (!closed) port.postMessage(message);
    },
    close() {
      if (closed) return;
      closed = true;
      port.postMessage(null);
      port.close();
      duplex.onclose?.();
    },
  };
  port.onmessage = (event: MessageEvent) => {
    if (closed) return;
    if (Array.isArray(event.data)) duplex.onmessage?.(event.data);
    else if (event.data === null) {
      closed = true;
      port.close();
      duplex.onclose?.();
    }
  };
  port.start();
  return duplex;
}
