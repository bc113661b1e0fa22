/**
 * Host side of one app worker: creates it, hands it requests over the ring,
 * turns its answers into `Response`s and notices when it dies.
 *
 * @module
 */
import type { Exchange } from "./_exchange.ts";
import {
  FLAG_INLINE,
  FLAG_STREAM,
  KIND,
  RecordDecoder,
  RecordEncoder,
} from "./_protocol.ts";
import type {
  ControlMessage,
  ErrorData,
  InitMessage,
  LoadFailure,
  PortMessage,
} from "./_protocol.ts";
import { createRing, RingReader, RingWriter } from "./_ring.ts";
import {
  decodeFailure,
  decodeResponse,
  encodeCancel,
  encodeRequest,
} from "./_records.ts";
import { StreamReceiver, StreamSender } from "./_relay.ts";
import { plainResponse } from "./_responses.ts";
import type { WampAccess, WampLink } from "./_wamp_access.ts";
import { checkWorkerMessage } from "./_untrusted.ts";
import { withLibraryRead } from "./permissions.ts";
import { tuneNativeMemory } from "./_native_memory.ts";

/** How long a supervisor may take to end its app thread when stopped. */
const STOP_GRACE_MS = 2000;

/** What a worker is started with. */
export interface WorkerSpec {
  specifier: string;
  object: string;
  permissions: Deno.PermissionOptionsObject;
  /** Worker name for logs, e.g. `wsgi /app #3`. */
  name: string;
  /** Only load and check the app. */
  check: boolean;
  /** Limit for streamed request bodies. */
  maxBodySize: number | undefined;
  /** Mount path, told to the app. */
  mount: string;
  /** Router access for the app's session (the path's `wamp` config). */
  wamp: WampAccess | undefined;
  /** Heap limit of the app thread in MiB. */
  maxMemoryMb: number;
}

/**
 * One worker as its pool sees it: the seam between the pool's policy
 * (`worker_pool.ts`) and a real worker ({@link WorkerHandle}), so that the
 * policy can be tested with fakes.
 */
export interface PoolWorker {
  /** Name for logs. */
  readonly name: string;
  /** Resolves when the app is loaded; rejects with the worker's report. */
  readonly ready: Promise<void>;
  /** Whether the app is loaded and the worker alive. */
  readonly isReady: boolean;
  /** Whether the worker is gone. */
  readonly dead: boolean;
  /** Requests in flight on this worker. */
  readonly outstanding: number;
  /** Requests handed to this worker so far. */
  served: number;
  /** Clock time when the worker last became idle. */
  idleSince: number;
  /** Takes no new requests; ends when idle. */
  draining: boolean;
  /** A replacement is starting (spawn-before-retire). */
  replacing: boolean;
  /** Exchanges in flight. */
  exchanges(): IterableIterator<Exchange>;
  /** Hands a request to the worker (sets `ex.worker`). */
  dispatch(ex: Exchange): void;
  /** The client of `ex` went away. */
  cancel(ex: Exchange): void;
  /** Kills the worker now; unanswered requests get `status` (or 502). */
  terminate(status?: number, victim?: Exchange): void;
}

/** Callbacks from a worker to its pool. */
export interface WorkerEvents {
  /** The worker died (crash, exit): it must be replaced. */
  died(worker: PoolWorker, reason: string): void;
  /** The app thread reported its heap size in bytes. */
  heap(worker: PoolWorker, bytes: number): void;
  /** An exchange finished (the worker has a free slot). */
  settled(worker: PoolWorker, exchange: Exchange): void;
  /** The app threw before answering; returns the response to send. */
  failed(worker: PoolWorker, exchange: Exchange, error: ErrorData): Response;
  /** The app's response stream failed after the head was sent. */
  streamFailed(
    worker: PoolWorker,
    error: { name: string; message: string },
  ): void;
}

/** Makes one worker for a pool (a real {@link WorkerHandle}, or a fake). */
export type SpawnWorker = (
  spec: WorkerSpec,
  events: WorkerEvents,
) => PoolWorker;

let nextSeq = 1;

/** One app worker seen from the host. */
export class WorkerHandle implements PoolWorker {
  /** Sequence number for logs. */
  readonly seq: number = nextSeq++;
  /** Name for logs. */
  readonly name: string;
  /** Resolves when the app is loaded; rejects with the worker's report. */
  readonly ready: Promise<void>;
  /** Requests handed to this worker so far. */
  served = 0;
  /** `Date.now()` when the worker last became idle. */
  idleSince: number = Date.now();
  /** Takes no new requests; ends when idle. */
  draining = false;
  /** A replacement is starting (spawn-before-retire). */
  replacing = false;
  #isReady = false;
  #dead = false;
  #worker: Worker;
  #writer: RingWriter;
  #reader: RingReader;
  #encoder = new RecordEncoder();
  #decoder = new RecordDecoder();
  #exchanges = new Map<number, Exchange>();
  #events: WorkerEvents;
  #spec: WorkerSpec;
  #wampLink: WampLink | undefined;
  #settleReady!: (failure?: LoadFailure | Error) => void;

  /** Creates the worker and sends it `init`. */
  constructor(spec: WorkerSpec, events: WorkerEvents) {
    this.#spec = spec;
    this.#events = events;
    this.name = `${spec.name} #${this.seq}`;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#settleReady = (failure) => failure ? reject(failure) : resolve();
    });
    this.ready.catch(() => {});
    // Before the first ring: freed rings must go back to the system.
    tuneNativeMemory();
    const toWorker = createRing();
    const toHost = createRing();
    this.#writer = new RingWriter(toWorker);
    this.#reader = new RingReader(
      toHost,
      (data, view, offset, length) =>
        this.#onRecord(data, view, offset, length),
      (error) => this.#die(`protocol error: ${String(error)}`),
    );
    const { permissions, revokeRead } = withLibraryRead(spec.permissions);
    this.#worker = new Worker(new URL("./app_worker.ts", import.meta.url), {
      type: "module",
      name: this.name,
      deno: { permissions },
    });
    this.#worker.onmessage = (event) => this.#onMessage(event.data);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#die(`uncaught ${event.message}`);
    };
    this.#worker.onmessageerror = () => this.#die("unreadable message");
    const link = this.#wampLink = spec.wamp?.connect();
    const init: InitMessage = {
      t: "init",
      specifier: spec.specifier,
      object: spec.object,
      toWorker,
      toHost,
      check: spec.check,
      ports: link === undefined ? {} : { wamp: link.port },
      mount: spec.mount,
      wampRealm: link?.realm,
      name: this.name,
      maxMemoryMb: spec.maxMemoryMb,
      revokeRead,
    };
    this.#worker.postMessage(init, link === undefined ? [] : [link.port]);
    this.#reader.start();
  }

  /** Whether the app is loaded and the worker alive. */
  get isReady(): boolean {
    return this.#isReady && !this.#dead;
  }

  /** Whether the worker is gone. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Requests in flight on this worker. */
  get outstanding(): number {
    return this.#exchanges.size;
  }

  /** Exchanges in flight (for timeout checks). */
  exchanges(): IterableIterator<Exchange> {
    return this.#exchanges.values();
  }

  /** Hands a request to the worker. */
  dispatch(ex: Exchange): void {
    ex.worker = this;
    this.served++;
    const { request, context } = ex;
    const record = encodeRequest(this.#encoder, {
      id: ex.id,
      flags: ex.inline ? FLAG_INLINE : ex.stream ? FLAG_STREAM : 0,
      method: request.method,
      url: ex.url,
      remoteAddr: context.remoteAddr,
    }, (write) => {
      request.headers.forEach((value, name) => {
        if (name !== "x-forwarded-prefix") write(name, value);
      });
      if (context.prefix !== "") write("x-forwarded-prefix", context.prefix);
    }, ex.inline);
    if (record.byteLength > this.#writer.maxRecord) {
      ex.respond(plainResponse(431));
      return;
    }
    this.#exchanges.set(ex.id, ex);
    this.#writer.write(record);
    if (ex.stream) {
      const body = ex.buffered === undefined ? request.body : emptyBody();
      if (body === null) return;
      ex.sender = new StreamSender(ex.id, body.getReader(), this.#post, {
        copy: false,
        limit: this.#spec.maxBodySize,
        onLimit: () => this.#bodyTooLarge(ex),
      });
      void ex.sender.run(ex.buffered === undefined ? [] : [ex.buffered]);
    }
  }

  /** The client went away: tell the app and forget the request. */
  cancel(ex: Exchange): void {
    if (this.#exchanges.get(ex.id) !== ex) return;
    if (!this.#dead) {
      this.#writer.write(encodeCancel(this.#encoder, ex.id));
    }
    ex.receiver?.fail(new DOMException("Client went away", "AbortError"));
    this.#settle(ex);
  }

  /**
   * Kills the worker now. Unanswered requests get `status` (or 502), and
   * streaming responses are cut.
   *
   * @param victim A request that gets `status`; the others get 502.
   */
  terminate(status = 502, victim?: Exchange): void {
    if (!this.#dead) {
      this.#dead = true;
      this.#stop();
      this.#wampLink?.close();
      this.#writer.close();
      this.#settleReady(new Error("Worker terminated"));
      for (const ex of [...this.#exchanges.values()]) {
        const code = victim === undefined || ex === victim ? status : 502;
        ex.respond(plainResponse(code));
        ex.receiver?.fail(new Error("The app worker stopped"));
        this.#settle(ex);
      }
    }
    this.#reader.close();
  }

  /**
   * Asks the supervisor to end the app thread first (terminating the
   * supervisor alone would leave the thread running), then terminates it.
   */
  #stop(): void {
    const worker = this.#worker;
    const timer = setTimeout(() => worker.terminate(), STOP_GRACE_MS);
    Deno.unrefTimer(timer);
    worker.onmessage = (event) => {
      if ((event.data as { t?: unknown })?.t !== "stopped") return;
      clearTimeout(timer);
      worker.terminate();
    };
    worker.postMessage({ t: "stop" });
  }

  #post = (message: PortMessage, transfer?: Transferable[]): void => {
    if (!this.#dead) this.#worker.postMessage(message, transfer ?? []);
  };

  #bodyTooLarge(ex: Exchange): void {
    ex.respond(plainResponse(413));
    this.#post({
      t: "error",
      id: ex.id,
      name: "RangeError",
      message: "Request body too large",
    });
    this.cancel(ex);
  }

  #die(reason: string): void {
    if (this.#dead) return;
    if (!this.#isReady) {
      this.#settleReady(new Error(reason));
      this.terminate();
      return;
    }
    this.#events.died(this, reason);
  }

  #onMessage(value: unknown): void {
    const checked = checkWorkerMessage(value);
    if (!checked.ok) {
      return this.#die(`protocol violation: ${checked.problem}`);
    }
    const message: ControlMessage | PortMessage = checked.message;
    switch (message.t) {
      case "ready":
        this.#isReady = true;
        this.#settleReady();
        return;
      case "load_error":
        this.#settleReady(message);
        return;
      case "crash":
        return this.#die(`crashed: ${message.name}: ${message.message}`);
      case "exit":
        return this.#die(`exited with code ${message.code}`);
      case "oom":
        return this.#die(
          `ran out of memory (its heap reached max_memory, ${message.limitMb} MiB)`,
        );
      case "stopped":
        return;
      case "heap":
        return this.#events.heap(this, message.bytes);
    }
    const ex = this.#exchanges.get(message.id);
    if (ex === undefined) {
      if (message.t === "chunk" || message.t === "credit") {
        this.#post({ t: "cancel", id: message.id });
      }
      return;
    }
    switch (message.t) {
      case "chunk":
        if (ex.receiver?.push(message.c) === false) {
          this.#die("protocol violation: body chunk beyond the granted credit");
        }
        return;
      case "end":
        return ex.receiver?.end();
      case "error":
        this.#events.streamFailed(this, message);
        return ex.receiver?.fail(new Error(message.message));
      case "credit":
        return ex.sender?.grant(message.n);
      case "cancel":
        return ex.sender?.stop();
    }
  }

  #onRecord(
    data: Uint8Array,
    view: DataView,
    offset: number,
    length: number,
  ): void {
    const d = this.#decoder;
    const kind = d.reset(data, view, offset, length);
    const ex = this.#exchanges.get(d.u32());
    if (ex === undefined || this.#dead) return;
    if (kind === KIND.FAILURE) {
      const error = decodeFailure(d);
      if (ex.answered) {
        this.#events.streamFailed(this, error);
        ex.receiver?.fail(new Error(error.message));
        this.#settle(ex);
        return;
      }
      ex.respond(this.#events.failed(this, ex, error));
      this.#settle(ex);
      return;
    }
    if (kind !== KIND.RESPONSE) return;
    // A string body is only safe when the app set a content-type (else
    // `Response` would add text/plain).
    const head = decodeResponse(d, hasContentType);
    const { flags, status, headers } = head;
    let body: BodyInit | null = head.body ?? null;
    if ((flags & FLAG_STREAM) !== 0) {
      ex.receiver = new StreamReceiver(
        ex.id,
        this.#post,
        () => this.#settle(ex),
      );
      ex.receiver.start();
      body = ex.receiver.stream;
    }
    try {
      ex.respond(
        status === 200 && typeof body === "string" && isDefaultText(headers)
          ? new Response(body) // the same headers, without converting them
          : new Response(body, { status, headers }),
      );
    } catch {
      ex.respond(plainResponse(502));
    }
    if (ex.receiver === undefined) this.#settle(ex);
  }

  #settle(ex: Exchange): void {
    if (this.#exchanges.get(ex.id) !== ex) return;
    this.#exchanges.delete(ex.id);
    if (this.#exchanges.size === 0) this.idleSince = Date.now();
    ex.sender?.stop();
    this.#events.settled(this, ex);
  }
}

function hasContentType(headers: [string, string][]): boolean {
  for (const header of headers) if (header[0] === "content-type") return true;
  return false;
}

function emptyBody(): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({ start: (c) => c.close() });
}

/** Whether `headers` are exactly what `new Response(string)` sets itself. */
function isDefaultText(headers: [string, string][]): boolean {
  const only = headers.length === 1 ? headers[0]! : undefined;
  return only !== undefined && only[0] === "content-type" &&
    only[1] === "text/plain;charset=UTF-8";
}
