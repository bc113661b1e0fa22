/**
 * The NATS client's socket on Deno's own TCP (`Deno.connect`), plugged
 * into the NATS client (`@nats-io/nats-core`) as its transport.
 *
 * `@nats-io/transport-node` runs on Deno's `node:net` compatibility layer,
 * which costs every message a trip through Node-style streams and events;
 * native sockets cut the cluster's cross-node latency and raise its
 * throughput (`bench/nats_transport_bench.ts` compares the two). TLS stays
 * with the Node transport, which supports every TLS option of the client
 * (CA, client certificate; `Deno.startTls` has no client certificates): a
 * connection with TLS settings uses it from the start, and one whose server
 * turns out to require TLS is dialled again with it.
 *
 * The protocol itself (INFO/CONNECT, parsing, reconnects, pings) stays the
 * client's: this module only moves bytes.
 *
 * @module
 */
import {
  checkOptions,
  type ConnectionOptions,
  type Deferred,
  deferred,
  errors,
  extractProtocolMessage,
  INFO,
  type Server,
  type ServerInfo,
  setTransportFactory,
  type Transport,
} from "@nats-io/transport-node";
import { NodeTransport } from "@nats-io/transport-node/lib/node_transport.js";
import { concatBytes } from "../bytes/concat.ts";

const READ_SIZE = 64 * 1024;
/** How long a close waits for queued bytes to be written (ms). */
const CLOSE_FLUSH_MS = 1000;

/** The server wants TLS: the connection goes to the Node transport. */
class TlsNeeded extends Error {
  constructor() {
    super("the NATS server requires TLS");
  }
}

/** Whether `options` asks for TLS settings only the Node transport has. */
function wantsNodeTls(options: ConnectionOptions): boolean {
  return typeof options.tls === "object" && options.tls !== null;
}

/**
 * A NATS transport on a native Deno TCP (or TLS) connection. Reads are
 * copied out of one reused buffer; writes are queued and written in order,
 * several queued frames at once.
 */
export class DenoTransport implements Transport {
  /** Client language reported to the server. */
  readonly lang = "nats.js";
  /** Client version reported to the server. */
  readonly version = "crossbar-deno";
  /** Why the connection closed, if it failed. */
  closeError?: Error;
  #conn: Deno.TcpConn | undefined;
  #connected = false;
  #done = false;
  #chunks: Uint8Array[] = [];
  #signal: Deferred<void> = deferred<void>();
  #queue: Uint8Array[] = [];
  #writing = false;
  readonly #closed: Deferred<void | Error> = deferred<void | Error>();

  /** Whether the transport is closed. */
  get isClosed(): boolean {
    return this.#done;
  }

  /** Whether the connection is TLS (never: TLS takes the Node transport). */
  isEncrypted(): boolean {
    return false;
  }

  /**
   * Dials `server` and reads its INFO (kept for the client's parser).
   *
   * @throws {TlsNeeded} When the server requires TLS.
   */
  async connect(server: Server, options: ConnectionOptions): Promise<void> {
    let conn: Deno.TcpConn | undefined;
    try {
      conn = await Deno.connect({
        hostname: server.hostname,
        port: server.port,
      });
      conn.setNoDelay(true);
      const info = await this.#peekInfo(conn);
      checkOptions(info, options);
      if (
        info.tls_required === true ||
        (info.tls_available === true && options.tls !== undefined &&
          options.tls !== null)
      ) {
        throw new TlsNeeded();
      }
      if (this.#done) {
        conn.close();
        return;
      }
      this.#conn = conn;
      this.#connected = true;
      this.#readLoop(conn);
    } catch (error) {
      try {
        conn?.close();
      } catch { /* already closed */ }
      if (error instanceof Deno.errors.ConnectionRefused) {
        throw new errors.ConnectionError("connection refused", {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Reads until the server's INFO line; the bytes stay queued. */
  async #peekInfo(conn: Deno.TcpConn): Promise<ServerInfo> {
    const buffer = new Uint8Array(READ_SIZE);
    while (true) {
      const n = await conn.read(buffer);
      if (n === null) {
        throw new errors.ConnectionError("the server closed the connection");
      }
      this.#chunks.push(buffer.slice(0, n));
      const line = extractProtocolMessage(concatBytes(this.#chunks));
      if (line === "") continue;
      const match = INFO.exec(line);
      if (match === null) {
        throw new errors.ConnectionError("unexpected response from server");
      }
      return JSON.parse(match[1]!) as ServerInfo;
    }
  }

  async #readLoop(conn: Deno.TcpConn): Promise<void> {
    const buffer = new Uint8Array(READ_SIZE);
    let failure: Error | undefined;
    try {
      while (!this.#done) {
        const n = await conn.read(buffer);
        if (n === null) break;
        this.#chunks.push(buffer.slice(0, n));
        this.#signal.resolve();
      }
    } catch (error) {
      if (!this.#done) failure = error as Error;
    }
    await this.#finish(failure, false);
  }

  /** The bytes received, chunk by chunk, until the connection closes. */
  async *[Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    while (true) {
      if (this.#chunks.length === 0) {
        if (this.#done) return;
        await this.#signal;
        this.#signal = deferred<void>();
      }
      const chunks = this.#chunks;
      this.#chunks = [];
      for (const chunk of chunks) yield chunk;
      if (this.#done && this.#chunks.length === 0) return;
    }
  }

  /** Queues `frame`; frames are written in order. */
  send(frame: Uint8Array): void {
    if (this.#done || this.#conn === undefined) return;
    this.#queue.push(frame);
    if (!this.#writing) this.#drain(this.#conn);
  }

  async #drain(conn: Deno.TcpConn): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const frames = this.#queue;
        this.#queue = [];
        const data = frames.length === 1 ? frames[0]! : concatBytes(frames);
        let at = 0;
        while (at < data.length) at += await conn.write(data.subarray(at));
      }
    } catch (error) {
      // A failed write surfaces as a failed read (or a stale connection).
      this.#queue = [];
      if (!this.#done) {
        try {
          conn.close();
        } catch { /* already closed */ }
        this.closeError ??= error as Error;
      }
    } finally {
      this.#writing = false;
      this.#flushed?.resolve();
      this.#flushed = undefined;
    }
  }

  #flushed: Deferred<void> | undefined;

  /** Resolves once every queued frame is written. */
  #flush(): Promise<void> {
    if (!this.#writing && this.#queue.length === 0) return Promise.resolve();
    return this.#flushed ??= deferred<void>();
  }

  /** Closes the connection (after writing what is queued, without error). */
  close(error?: Error): Promise<void> {
    return this.#finish(error, true);
  }

  /** Drops the connection; the client reconnects. */
  disconnect(): void {
    this.#finish(undefined, true).catch(() => {});
  }

  /** Resolves when the connection has closed (with its error, if any). */
  closed(): Promise<void | Error> {
    return this.#closed;
  }

  /** Closes without telling anyone (the client is done with it). */
  discard(): void {
    this.#done = true;
    this.#signal.resolve();
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
  }

  async #finish(error: Error | undefined, internal: boolean): Promise<void> {
    if (!this.#connected) return;
    if (this.#done) return;
    if (error !== undefined) this.closeError = error;
    if (error === undefined && internal) {
      // What is queued goes out first, but a server that stopped reading
      // must not hold up a close.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        this.#flush(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, CLOSE_FLUSH_MS);
        }),
      ]).catch(() => {});
      clearTimeout(timer);
    }
    if (this.#done) return;
    this.#done = true;
    try {
      this.#conn?.close();
    } catch { /* already closed */ }
    this.#conn = undefined;
    this.#signal.resolve();
    this.#closed.resolve(this.closeError);
  }
}

/**
 * Makes the NATS client use {@link DenoTransport} for every connection it
 * dials from now on (the client keeps one factory for the process), and
 * the Node transport for connections with TLS settings.
 */
export function useDenoTransport(): void {
  setTransportFactory({
    factory: (): Transport => new SwitchingTransport(),
  });
}

/**
 * Decides at `connect()` which transport carries the connection: native
 * Deno TCP, or the Node transport for TLS settings it alone supports.
 */
class SwitchingTransport implements Transport {
  #inner: Transport = new DenoTransport();
  // The client asks for closed() before connect(): one promise for both.
  readonly #closed: Deferred<void | Error> = deferred<void | Error>();

  get lang(): string {
    return this.#inner.lang;
  }
  get version(): string {
    return this.#inner.version;
  }
  get isClosed(): boolean {
    return this.#inner.isClosed;
  }
  get closeError(): Error {
    // The client reads it only after a close, and copes with undefined.
    return this.#inner.closeError as Error;
  }
  async connect(server: Server, options: ConnectionOptions): Promise<void> {
    if (!wantsNodeTls(options)) {
      try {
        await this.#inner.connect(server, options);
        this.#watch();
        return;
      } catch (error) {
        if (!(error instanceof TlsNeeded)) throw error;
      }
    }
    this.#inner = new NodeTransport();
    this.#watch();
    await this.#inner.connect(server, options);
  }
  #watch(): void {
    this.#inner.closed().then(
      (error) => this.#closed.resolve(error),
      (error) => this.#closed.resolve(error as Error),
    );
  }
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this.#inner[Symbol.asyncIterator]();
  }
  isEncrypted(): boolean {
    return this.#inner.isEncrypted();
  }
  send(frame: Uint8Array): void {
    this.#inner.send(frame);
  }
  close(error?: Error): Promise<void> {
    return this.#inner.close(error);
  }
  disconnect(): void {
    this.#inner.disconnect();
  }
  closed(): Promise<void | Error> {
    return this.#closed;
  }
  discard(): void {
    this.#inner.discard();
  }
}
