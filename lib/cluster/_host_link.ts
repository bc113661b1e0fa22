/**
 * Host links: members on the same host send each other their inbox
 * batches (calls, results, cancels, events; `_outbox.ts`) over a Unix
 * socket instead of through NATS. NATS stays the cluster's control plane:
 * membership, state changes, requests and everything between hosts.
 *
 * Each member listens on a socket in a private temporary directory (mode
 * 0700) and announces its path and a random token in its heartbeat. A
 * member that sees a new member on its own host dials it once and sends
 * the token first; the listener closes any connection without the right
 * token, so only a process that can read the cluster's NATS traffic can
 * inject records (the same trust as the NATS inbox). Frames are a 4-byte
 * big-endian length and one batch.
 *
 * Order per destination is kept: records to a member queue while its link
 * connects; a link that cannot be opened sends its queue, then everything
 * after, through NATS; a link that fails later does the same (records in
 * the failed write are lost, as in a NATS outage).
 *
 * @module
 */
import type { Logger } from "../log/mod.ts";
import { concatBytes } from "../bytes/concat.ts";

/** Largest frame accepted from a link (bytes). */
const MAX_FRAME = 64 * 1024 * 1024;
/** How long a dialled member has to accept the token (ms). */
const HANDSHAKE_MS = 2000;
/** The listener's answer to a right token. */
const ACCEPTED = 1;
const READ_SIZE = 64 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** How a member's link is announced in its heartbeat. */
export interface HostLinkAddress {
  /** Host name (links are made only between equal names). */
  readonly host: string;
  /** Socket path. */
  readonly path: string;
  /** What a connection must send first. */
  readonly token: string;
}

/** What {@link HostLinks} needs from the member. */
export interface HostLinkOptions {
  /** This member's id (sent when dialling). */
  readonly self: string;
  /** Handles one batch received from another member. */
  readonly receive: (data: Uint8Array) => void;
  /** Sends a batch through NATS (no link, or the link failed). */
  readonly viaNats: (node: string, data: Uint8Array) => void;
  /** Where failures are logged. */
  readonly logger: Logger;
}

interface Link {
  /** Open connection, or `undefined` while dialling. */
  conn?: Deno.UnixConn;
  /** Batches waiting for the connection or the current write. */
  queue: Uint8Array[];
  /** The current write loop, while one runs. */
  drained: Promise<void> | undefined;
  /** The link failed or never opened: NATS from now on. */
  failed: boolean;
}

/** `batches` as length-prefixed frames in one array. */
function framed(batches: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const batch of batches) length += 4 + batch.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const batch of batches) {
    view.setUint32(at, batch.length);
    out.set(batch, at + 4);
    at += 4 + batch.length;
  }
  return out;
}

const DIR_PREFIX = "crossbar-cluster-";

/**
 * Removes the socket directories in `tmp` left by members that were
 * killed (named `crossbar-cluster-<pid>-…`: their process is gone). Needs
 * `/proc` (Linux); elsewhere nothing is removed.
 */
async function removeStale(tmp: string): Promise<void> {
  try {
    await Deno.stat("/proc/self");
  } catch {
    return;
  }
  for await (const entry of Deno.readDir(tmp)) {
    if (!entry.isDirectory || !entry.name.startsWith(DIR_PREFIX)) continue;
    const pid = Number(entry.name.slice(DIR_PREFIX.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const alive = await Deno.stat(`/proc/${pid}`).then(() => true, () => false);
    if (!alive) {
      await Deno.remove(`${tmp}/${entry.name}`, { recursive: true })
        .catch(() => {});
    }
  }
}

/** Writes all of `data` to `conn`. */
async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let at = 0;
  while (at < data.length) at += await conn.write(data.subarray(at));
}

/** Reads one byte from `conn`, closing it when none comes in `limit` ms. */
async function readByte(conn: Deno.Conn, limit: number): Promise<number> {
  const timer = setTimeout(() => conn.close(), limit);
  try {
    const byte = new Uint8Array(1);
    const n = await conn.read(byte);
    if (n === null) throw new Error("the member closed the link");
    return byte[0]!;
  } catch (error) {
    if (error instanceof Deno.errors.BadResource) {
      throw new Error(`no answer within ${limit} ms`);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Reads length-prefixed frames from `conn` until it closes. */
async function* frames(conn: Deno.Conn): AsyncGenerator<Uint8Array> {
  const chunk = new Uint8Array(READ_SIZE);
  let buffer: Uint8Array = new Uint8Array(0);
  while (true) {
    const n = await conn.read(chunk);
    if (n === null) return;
    buffer = buffer.length === 0
      ? chunk.slice(0, n)
      : concatBytes([buffer, chunk.subarray(0, n)]);
    let at = 0;
    while (buffer.length - at >= 4) {
      const length = new DataView(buffer.buffer, buffer.byteOffset + at)
        .getUint32(0);
      if (length > MAX_FRAME) {
        throw new RangeError(`a frame of ${length} bytes`);
      }
      if (buffer.length - at - 4 < length) break;
      yield buffer.subarray(at + 4, at + 4 + length);
      at += 4 + length;
    }
    buffer = buffer.subarray(at);
  }
}

/** This member's listener and its links to members on the same host. */
export class HostLinks {
  readonly #options: HostLinkOptions;
  readonly #dir: string;
  readonly #listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>;
  readonly #links = new Map<string, Link>();
  /** Open inbound connections, by member id once it is known. */
  readonly #accepted = new Map<Deno.Conn, string | undefined>();
  readonly #inboundEnded = new Map<string, () => void>();
  /** This member's address, for its heartbeat. */
  readonly address: HostLinkAddress;
  #closed = false;

  private constructor(
    options: HostLinkOptions,
    dir: string,
    listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>,
    token: string,
  ) {
    this.#options = options;
    this.#dir = dir;
    this.#listener = listener;
    this.address = { host: Deno.hostname(), path: listener.addr.path, token };
    this.#accept();
  }

  /**
   * Opens this member's listener.
   *
   * @throws {Deno.errors.PermissionDenied} Without read and write access
   * to the temporary directory.
   */
  static async open(options: HostLinkOptions): Promise<HostLinks> {
    const dir = await Deno.makeTempDir({ prefix: `${DIR_PREFIX}${Deno.pid}-` });
    await Deno.chmod(dir, 0o700);
    removeStale(dir.slice(0, dir.lastIndexOf("/"))).catch(() => {});
    const listener = Deno.listen({
      transport: "unix",
      path: `${dir}/member.sock`,
    });
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const token = [...bytes].map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    return new HostLinks(options, dir, listener, token);
  }

  /**
   * Notes member `id`'s address (from its heartbeat) and dials it when it
   * is on this host; what is sent to it meanwhile waits for the link.
   */
  known(id: string, address: HostLinkAddress | undefined): void {
    if (
      typeof address?.path !== "string" ||
      typeof address.token !== "string" ||
      address.host !== this.address.host
    ) return;
    if (this.#links.has(id)) return;
    this.#dial(id, address);
  }

  /**
   * Sends batch `data` to member `node`: over its link when it has one,
   * else through NATS.
   */
  send(node: string, data: Uint8Array): void {
    const link = this.#links.get(node);
    if (link === undefined || link.failed) {
      this.#options.viaNats(node, data);
      return;
    }
    link.queue.push(data);
    if (link.conn !== undefined && link.drained === undefined) {
      link.drained = this.#drain(node, link);
    }
  }

  /** Member `id` is gone: its link closes. */
  forget(id: string): void {
    const link = this.#links.get(id);
    this.#links.delete(id);
    try {
      link?.conn?.close();
    } catch { /* already closed */ }
  }

  /** Ids of the members reached over a link now. */
  linked(): string[] {
    return [...this.#links].filter(([, l]) => !l.failed && l.conn)
      .map(([id]) => id);
  }

  /**
   * Resolves once member `id`'s connection to this member has ended (at
   * once when there is none, at the latest after `limit` ms): a member
   * closes its links before it says goodbye, so what it sent is handled
   * first.
   */
  inboundDone(id: string, limit = 1000): Promise<void> {
    if (![...this.#accepted.values()].includes(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, limit);
      const before = this.#inboundEnded.get(id);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#inboundEnded.set(id, () => {
        before?.();
        done();
      });
    });
  }

  /**
   * Writes what is queued (waiting at most `limit` ms), then closes every
   * link and the listener and removes the socket.
   */
  async close(limit = 1000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const writes = [...this.#links.values()].map((l) => l.drained);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(writes),
      new Promise((resolve) => timer = setTimeout(resolve, limit)),
    ]);
    clearTimeout(timer);
    for (const [id, link] of this.#links) {
      // Still dialling: what waits for the link goes through NATS.
      if (link.conn === undefined) this.#fail(id, link, new Error("closing"));
    }
    for (const id of [...this.#links.keys()]) this.forget(id);
    for (const conn of this.#accepted.keys()) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    try {
      this.#listener.close();
    } catch { /* already closed */ }
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }

  async #dial(id: string, address: HostLinkAddress): Promise<void> {
    const link: Link = { queue: [], drained: undefined, failed: false };
    this.#links.set(id, link);
    let conn: Deno.UnixConn | undefined;
    try {
      conn = await Deno.connect({ transport: "unix", path: address.path });
      await writeAll(
        conn,
        framed([encoder.encode(`${address.token} ${this.#options.self}`)]),
      );
      const answer = await readByte(conn, HANDSHAKE_MS);
      if (answer !== ACCEPTED) throw new Error("the member refused the link");
    } catch (error) {
      try {
        conn?.close();
      } catch { /* already closed */ }
      this.#fail(id, link, error);
      return;
    }
    if (this.#links.get(id) !== link || this.#closed) {
      conn.close();
      return;
    }
    link.conn = conn;
    this.#watch(id, link, conn);
    if (link.queue.length > 0) link.drained = this.#drain(id, link);
  }

  /** The member never writes on a link it accepted: a read ends with it. */
  async #watch(id: string, link: Link, conn: Deno.UnixConn): Promise<void> {
    let reason = "the member closed the link";
    try {
      await conn.read(new Uint8Array(1));
    } catch (error) {
      reason = (error as Error).message;
    }
    this.#fail(id, link, new Error(reason));
  }

  /** Writes the queue until it stays empty (`drained` is set meanwhile). */
  async #drain(id: string, link: Link): Promise<void> {
    try {
      while (link.queue.length > 0) {
        const data = framed(link.queue);
        link.queue = [];
        await writeAll(link.conn!, data);
      }
    } catch (error) {
      this.#fail(id, link, error);
    } finally {
      link.drained = undefined;
    }
  }

  /** The link to `id` is unusable: what is queued, and the rest, via NATS. */
  #fail(id: string, link: Link, error: unknown): void {
    if (link.failed || this.#links.get(id) !== link) return;
    link.failed = true;
    try {
      link.conn?.close();
    } catch { /* already closed */ }
    if (!this.#closed) {
      this.#options.logger.debug(
        `Cluster: no host link to member ${id} (${
          (error as Error).message
        }); its records go through NATS`,
      );
    }
    // Queued batches never left: they go in order.
    for (const batch of link.queue.splice(0)) this.#options.viaNats(id, batch);
  }

  async #accept(): Promise<void> {
    try {
      for await (const conn of this.#listener) this.#serve(conn);
    } catch {
      // Listener closed.
    }
  }

  async #serve(conn: Deno.UnixConn): Promise<void> {
    this.#accepted.set(conn, undefined);
    let from: string | undefined;
    // A connection that does not present a token in time is closed.
    const handshake = setTimeout(() => {
      try {
        conn.close();
      } catch { /* already closed */ }
    }, HANDSHAKE_MS);
    try {
      for await (const data of frames(conn)) {
        if (from === undefined) {
          const [token, id] = decoder.decode(data).split(" ");
          if (token !== this.address.token || !id) {
            this.#options.logger.warn(
              "Cluster: refused a host link connection with a wrong token",
            );
            break;
          }
          from = id;
          clearTimeout(handshake);
          this.#accepted.set(conn, id);
          await writeAll(conn, new Uint8Array([ACCEPTED]));
          continue;
        }
        this.#options.receive(data);
      }
    } catch (error) {
      if (!this.#closed) {
        this.#options.logger.debug(
          `Cluster: host link from ${from ?? "an unknown member"} closed: ${
            (error as Error).message
          }`,
        );
      }
    } finally {
      clearTimeout(handshake);
      this.#accepted.delete(conn);
      try {
        conn.close();
      } catch { /* already closed */ }
      if (from !== undefined) {
        this.#inboundEnded.get(from)?.();
        this.#inboundEnded.delete(from);
      }
    }
  }
}
