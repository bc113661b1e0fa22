/**
 * Worker side of the host protocol: turns request records into `Request`s,
 * calls the app, and sends the `Response` back (small bodies inline, the
 * rest streamed with credit).
 *
 * @module
 */
import type { AppHandler } from "./_app_shape.ts";
import {
  FLAG_INLINE,
  FLAG_STREAM,
  INLINE_MAX,
  KIND,
  RecordDecoder,
  RecordEncoder,
  toErrorData,
} from "./_protocol.ts";
import type { ControlMessage, InitMessage, PortMessage } from "./_protocol.ts";
import { RingReader, RingWriter } from "./_ring.ts";
import {
  decodeRequest,
  encodeFailure,
  encodeResponse,
  type RequestRecord,
} from "./_records.ts";
import { type Post, StreamReceiver, StreamSender } from "./_relay.ts";

interface Exchange {
  abort: AbortController;
  body: StreamReceiver | undefined;
  sender: StreamSender | undefined;
  complete: () => void;
}

type ParsedRequest = RequestRecord;

type ReadResult = ReadableStreamReadResult<Uint8Array>;

/** How often a serving app thread reports its heap size. */
const HEAP_REPORT_MS = 1000;

/** Microtask hops a body read may take and still count as "available now". */
const QUICK_HOPS = 4;

/** Serves requests from the host ring with one app handler. */
export class WorkerAppHost {
  #handler: AppHandler;
  #post: Post;
  #writer: RingWriter;
  #reader: RingReader;
  #encoder = new RecordEncoder();
  #decoder = new RecordDecoder();
  #exchanges = new Map<number, Exchange>();
  /** Whether a request finished since the last heap report. */
  #servedSince = false;
  #report: (message: ControlMessage) => void;

  /**
   * Starts reading requests.
   *
   * @param report Sends control messages (heap reports) to the host.
   */
  constructor(
    handler: AppHandler,
    init: InitMessage,
    post: Post,
    report: (message: ControlMessage) => void,
  ) {
    this.#handler = handler;
    this.#post = post;
    this.#report = report;
    // Heap reports (for `recycle_memory`) once a second while serving: off
    // the request path, whose cost they would otherwise add to.
    const timer = setInterval(() => this.#reportHeap(), HEAP_REPORT_MS);
    Deno.unrefTimer(timer);
    this.#writer = new RingWriter(init.toHost);
    this.#reader = new RingReader(
      init.toWorker,
      (data, view, offset, length) =>
        this.#onRecord(data, view, offset, length),
      (error) =>
        queueMicrotask(() => {
          throw error;
        }),
    );
    this.#reader.start();
  }

  /** Handles a port message from the host. */
  onPort(message: PortMessage): void {
    const exchange = this.#exchanges.get(message.id);
    if (exchange === undefined) return;
    switch (message.t) {
      case "chunk":
        exchange.body?.push(message.c);
        break;
      case "end":
        exchange.body?.end();
        break;
      case "error":
        exchange.body?.fail(new Error(message.message));
        break;
      case "credit":
        exchange.sender?.grant(message.n);
        break;
      case "cancel":
        this.#cancel(message.id);
        break;
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
    const id = d.u32();
    if (kind === KIND.CANCEL) {
      this.#cancel(id);
      return;
    }
    if (kind !== KIND.REQUEST) return;
    void this.#serve(decodeRequest(d, id));
  }

  async #serve(req: ParsedRequest): Promise<void> {
    const { id } = req;
    let complete!: () => void;
    const completed = new Promise<void>((resolve) => complete = resolve);
    const exchange: Exchange = {
      abort: new AbortController(),
      body: undefined,
      sender: undefined,
      complete,
    };
    this.#exchanges.set(id, exchange);
    let response: Response;
    try {
      const request = this.#buildRequest(req, exchange);
      response = await this.#handler(request, {
        remoteAddr: req.remoteAddr,
        completed,
      });
      if (!(response instanceof Response)) {
        throw new TypeError(
          `The app returned ${describe(response)} instead of a Response`,
        );
      }
    } catch (error) {
      this.#fail(id, error);
      return;
    }
    if (this.#exchanges.get(id) !== exchange) {
      response.body?.cancel().catch(() => {});
      return;
    }
    try {
      await this.#respond(id, exchange, response);
    } catch (error) {
      // E.g. a body that was already read: nothing has been sent yet.
      this.#fail(id, error);
    }
  }

  #buildRequest(req: ParsedRequest, exchange: Exchange): Request {
    const init: RequestInit & { duplex?: "half" } = {
      method: req.method,
      headers: req.headers,
      signal: exchange.abort.signal,
    };
    if (req.body !== undefined) {
      init.body = req.body;
    } else if ((req.flags & FLAG_STREAM) !== 0) {
      const body = new StreamReceiver(req.id, this.#post, () => {});
      exchange.body = body;
      body.start();
      init.body = body.stream;
      init.duplex = "half";
    }
    return new Request(req.url, init);
  }

  async #respond(
    id: number,
    exchange: Exchange,
    response: Response,
  ): Promise<void> {
    const headers: string[] = [];
    response.headers.forEach((value, name) => headers.push(name, value));
    const stream = response.body;
    if (stream === null) {
      this.#writeResponse(id, response.status, headers, 0, undefined);
      this.#finish(id);
      return;
    }
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    let pending: Promise<ReadResult> | undefined;
    while (size <= INLINE_MAX) {
      const quick = await quickRead(reader);
      if (quick.error !== undefined) {
        this.#fail(id, quick.error);
        return;
      }
      if (quick.result === undefined) {
        pending = quick.pending;
        break;
      }
      if (quick.result.done) {
        const body = concat(chunks, size);
        this.#writeResponse(id, response.status, headers, FLAG_INLINE, body);
        this.#finish(id);
        return;
      }
      chunks.push(quick.result.value);
      size += quick.result.value.byteLength;
    }
    if (this.#exchanges.get(id) !== exchange) {
      reader.cancel().catch(() => {});
      return;
    }
    const sender = new StreamSender(id, reader, this.#post, { copy: true });
    exchange.sender = sender;
    this.#writeResponse(id, response.status, headers, FLAG_STREAM, undefined);
    await sender.run(chunks, pending);
    this.#finish(id);
  }

  #writeResponse(
    id: number,
    status: number,
    headers: string[],
    flags: number,
    body: Uint8Array | undefined,
  ): void {
    const record = encodeResponse(
      this.#encoder,
      id,
      status,
      flags,
      headers,
      body,
    );
    if (record.byteLength > this.#writer.maxRecord) {
      this.#fail(id, new RangeError("Response headers are too large"));
      return;
    }
    this.#writer.write(record);
  }

  #fail(id: number, error: unknown): void {
    if (!this.#exchanges.has(id)) return;
    this.#writer.write(encodeFailure(this.#encoder, id, toErrorData(error)));
    this.#finish(id);
  }

  #cancel(id: number): void {
    const exchange = this.#exchanges.get(id);
    if (exchange === undefined) return;
    exchange.abort.abort(new DOMException("Client went away", "AbortError"));
    exchange.sender?.stop();
    exchange.body?.fail(new DOMException("Request aborted", "AbortError"));
    this.#finish(id);
  }

  #finish(id: number): void {
    const exchange = this.#exchanges.get(id);
    if (exchange === undefined) return;
    this.#exchanges.delete(id);
    exchange.complete();
    this.#servedSince = true;
  }

  /** Tells the host the heap size if requests were served since last time. */
  #reportHeap(): void {
    if (!this.#servedSince) return;
    this.#servedSince = false;
    this.#report({ t: "heap", bytes: Deno.memoryUsage().heapUsed });
  }
}

interface QuickRead {
  result?: ReadResult;
  pending?: Promise<ReadResult>;
  error?: unknown;
}

async function quickRead(
  reader: ReadableStreamDefaultReader<Uint8Array>,
): Promise<QuickRead> {
  const out: QuickRead = {};
  let settled = false;
  const pending = reader.read();
  pending.then(
    (result) => {
      settled = true;
      out.result = result;
    },
    (error) => {
      settled = true;
      out.error = error ?? new Error("Body stream failed");
    },
  );
  for (let i = 0; i < QUICK_HOPS && !settled; i++) await null;
  if (!settled) out.pending = pending;
  return out;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") {
    return `an object (${value.constructor?.name ?? "Object"})`;
  }
  return typeof value;
}
