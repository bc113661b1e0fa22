/**
 * The header timeout of a `Deno.serve` listener (`request_header_timeout`):
 * a connection that has no request in progress, and has not sent a complete
 * request head within the timeout of opening or of its previous response
 * ending, is closed. That ends slowloris clients (a head sent a byte at a
 * time, or half a head and then nothing) and idle keep-alive connections.
 *
 * `Deno.serve` (Deno 2.9) has no such timeout and shows a script neither its
 * connections nor a request before its head is complete, so the guard puts
 * two views together:
 *
 * 1. Requests: the transport passes each request to {@link
 *    HeaderGuard.track}, which counts per peer address (client host and
 *    port) the requests whose response is not sent yet
 *    (`ServeHandlerInfo.completed`) and when the last one ended; the
 *    dispatcher tells it when one became a WebSocket (status 101).
 * 2. Connections: every check interval the socket table
 *    (`_socket_table.ts`) lists the listener's established connections. A
 *    connection whose peer has a request in progress or an upgraded
 *    WebSocket is left alone; any other whose last response ended, or which
 *    was first seen, longer ago than the timeout is shut down.
 *
 * A connection is first seen up to one check interval after it opens, so it
 * is closed between the timeout and the timeout plus two check intervals (an
 * interval is a fifth of the timeout, 250 ms to 1 s, longer when
 * listing the connections is slow, so that checking stays under about 2% of
 * one core). Where the socket table is unavailable (not Linux, no FFI
 * permission), the transport logs that the timeout is not enforced.
 *
 * @module
 */
import type { Logger } from "../log/logger.ts";
import type { ConnectionWatch } from "./_node_listener.ts";
import {
  openSocketTable,
  type SocketTable,
  SocketTableUnavailableError,
} from "./_socket_table.ts";

/** Options for {@link startHeaderGuard}. */
export interface HeaderGuardOptions {
  /** The listener's bound address. */
  readonly listener: Deno.NetAddr;
  /** Seconds a connection may take to send a complete request head. */
  readonly timeout: number;
  /** Where closed connections are reported. */
  readonly logger: Logger;
}

/** Requests of one peer address, as the guard sees them. */
class Peer implements ConnectionWatch {
  readonly hostname: string;
  /** Requests whose response has not been sent completely. */
  open = 0;
  /** When the last response was sent (`performance.now()`). */
  doneAt = 0;
  /** Whether a request of this peer became a WebSocket. */
  isUpgraded = false;
  /** When the socket table last listed this peer, or it was created. */
  seenAt: number;
  /** Another peer address with the same port. */
  next: Peer | undefined;
  readonly done = (): void => {
    this.open--;
    this.doneAt = performance.now();
  };

  constructor(hostname: string, now: number) {
    this.hostname = hostname;
    this.seenAt = now;
  }

  upgraded(): void {
    this.isUpgraded = true;
  }
}

/** What the guard knows about one listed connection. */
interface Connection {
  /** Start of the current wait for a request head. */
  since: number;
  /** Not this process's (a port shared with another process). */
  foreign: boolean;
}

/** Closes the connections of one listener that send no request in time. */
export class HeaderGuard {
  #table: SocketTable;
  #timeoutMs: number;
  #intervalMs: number;
  #logger: Logger;
  #peers = new Map<number, Peer>();
  #connections = new Map<string, Connection>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(table: SocketTable, options: HeaderGuardOptions) {
    this.#table = table;
    this.#timeoutMs = options.timeout * 1000;
    this.#intervalMs = Math.min(1000, Math.max(250, this.#timeoutMs / 5));
    this.#logger = options.logger;
    this.#schedule(this.#intervalMs);
  }

  /**
   * Counts one request for its peer address until its response is sent.
   *
   * @param info The request's `Deno.serve` info.
   * @param remote Its peer address (read once by the caller).
   * @returns What the dispatcher tells when the request becomes a
   * WebSocket (whose connection the guard then leaves alone).
   */
  track(info: Deno.ServeHandlerInfo, remote: Deno.NetAddr): ConnectionWatch {
    const peer = this.#peer(remote);
    peer.open++;
    info.completed.then(peer.done, peer.done);
    return peer;
  }

  /** Stops checking and releases the socket table. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running;
    this.#table.close();
  }

  #peer(remote: Deno.NetAddr): Peer {
    const known = this.#find(remote.port, remote.hostname);
    if (known !== undefined) return known;
    const peer = new Peer(remote.hostname, performance.now());
    peer.next = this.#peers.get(remote.port);
    this.#peers.set(remote.port, peer);
    return peer;
  }

  #find(port: number, hostname: string): Peer | undefined {
    for (let peer = this.#peers.get(port); peer; peer = peer.next) {
      if (peer.hostname === hostname) return peer;
    }
    return undefined;
  }

  #schedule(delay: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#running = this.#check().finally(() => {
        this.#running = undefined;
      });
    }, delay);
  }

  async #check(): Promise<void> {
    const started = performance.now();
    try {
      const victims = await this.#findVictims();
      if (victims.length > 0 && !this.#closed) await this.#shutdown(victims);
    } catch (error) {
      this.#logger.error(
        `Header timeout check failed: ${(error as Error).message}`,
      );
    }
    const cost = performance.now() - started;
    const slowest = Math.max(this.#intervalMs, this.#timeoutMs);
    this.#schedule(Math.min(slowest, Math.max(this.#intervalMs, cost * 50)));
  }

  async #findVictims(): Promise<string[]> {
    const listed = await this.#table.list();
    const now = performance.now();
    const victims: string[] = [];
    const connections = new Map<string, Connection>();
    for (const { inode, hostname, port } of listed) {
      const connection = this.#connections.get(inode) ??
        { since: now, foreign: false };
      connections.set(inode, connection);
      if (connection.foreign) continue;
      const peer = this.#find(port, hostname);
      if (peer !== undefined) {
        peer.seenAt = now;
        // A WebSocket, a request still being answered or a body still
        // being read: none of the header timeout's business.
        if (peer.isUpgraded || peer.open > 0) continue;
        if (peer.doneAt > connection.since) connection.since = peer.doneAt;
      }
      if (now - connection.since >= this.#timeoutMs) victims.push(inode);
    }
    this.#connections = connections;
    this.#forgetPeers(now);
    return victims;
  }

  /** Drops peers the table has not listed for two intervals. */
  #forgetPeers(now: number): void {
    const stale = 2 * this.#intervalMs;
    for (const [port, first] of this.#peers) {
      let kept: Peer | undefined;
      for (let peer: Peer | undefined = first; peer; peer = peer.next) {
        if (peer.open === 0 && now - peer.seenAt > stale) continue;
        if (kept === undefined) {
          this.#peers.set(port, peer);
        } else {
          kept.next = peer;
        }
        kept = peer;
      }
      if (kept === undefined) this.#peers.delete(port);
      else kept.next = undefined;
    }
  }

  async #shutdown(victims: string[]): Promise<void> {
    const closed = await this.#table.shutdown(victims);
    for (const inode of victims) {
      const connection = this.#connections.get(inode);
      if (connection !== undefined && !closed.has(inode)) {
        connection.foreign = true;
      }
    }
    if (closed.size > 0) {
      this.#logger.info(
        `Closed ${closed.size} connection(s) that sent no complete request ` +
          `within ${this.#timeoutMs / 1000} s (request_header_timeout)`,
      );
    }
  }
}

/**
 * Starts the header timeout of a `Deno.serve` listener.
 *
 * @param options The listener, the timeout and the logger.
 * @returns The guard, or `undefined` (after a warning) where the system
 * offers no way to enforce it.
 */
export async function startHeaderGuard(
  options: HeaderGuardOptions,
): Promise<HeaderGuard | undefined> {
  let table: SocketTable;
  try {
    table = await openSocketTable(options.listener);
  } catch (error) {
    if (!(error instanceof SocketTableUnavailableError)) throw error;
    options.logger.warn(
      `"request_header_timeout" is not enforced on port ` +
        `${options.listener.port}: ${error.message}`,
    );
    return undefined;
  }
  return new HeaderGuard(table, options);
}
