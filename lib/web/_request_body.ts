/**
 * Request bodies under a deadline a slow client cannot stretch, read before
 * the path service sees the request.
 *
 * Lifecycle of a request with a body (`guardBody`):
 * 1. Up to {@link PREREAD_BYTES} are read here, in the web transport. A body
 *    that ends within them (almost every form post and JSON call) is handed
 *    to the service complete, from memory, so no service resource (a wsgi
 *    worker slot, a proxy connection) waits for the upload.
 * 2. A longer body is handed on as a stream: the bytes read so far, then the
 *    rest as the client sends it, under the same deadline.
 * 3. Two limits: no `timeout` seconds without a byte, and, once `timeout`
 *    seconds have passed, at least `minRate` bytes a second on average since
 *    the body started (each `minRate` bytes buy one more second, as in
 *    Apache `mod_reqtimeout`). A client that trickles one byte a second runs
 *    out of time as surely as one that stops; a fast start buys no stall.
 * 4. A missed deadline answers 408 Request Timeout (or fails the stream the
 *    service reads); a body the HTTP parser rejects (a malformed chunk, an
 *    oversized chunk extension) answers 400 Bad Request. Neither is the
 *    service's or the app's fault, and the transport says so.
 *
 * @module
 */
import type { PathService, ServeContext } from "./path_service.ts";
import { concatBytes } from "../bytes/concat.ts";

/** Bytes read before the service sees the request. */
export const PREREAD_BYTES = 64 * 1024;

/** The body deadline of a transport. */
export interface BodyLimits {
  /** Seconds without a byte, and before the rate counts. */
  readonly timeout: number;
  /** Least average bytes per second once `timeout` has passed. */
  readonly minRate: number;
}

/** Why a body could not be read: the client's fault, never the service's. */
export class ClientBodyError extends Error {
  /** 408 (too slow) or 400 (malformed). */
  readonly status: 400 | 408;

  /**
   * @param status 408 or 400.
   * @param message What went wrong.
   */
  constructor(status: 400 | 408, message: string) {
    super(message);
    this.name = "ClientBodyError";
    this.status = status;
  }
}

/** A request whose body is read under the deadline. */
export interface GuardedRequest {
  /** The request the service gets (the original when it has no body). */
  readonly request: Request;
  /** The client failure seen while the service read the rest, if any. */
  failure(): ClientBodyError | undefined;
}

/**
 * Reads the start of `request`'s body under `limits` and returns the request
 * to hand to the service.
 *
 * @param request The incoming request (must have a body).
 * @param body `request.body`, already looked up.
 * @param limits The deadline.
 * @returns The request for the service.
 * @throws {ClientBodyError} When the client is too slow or its body is
 * malformed before {@link PREREAD_BYTES} arrived.
 */
export async function guardBody(
  request: Request,
  body: ReadableStream<Uint8Array>,
  limits: BodyLimits,
): Promise<GuardedRequest> {
  const clock = new BodyClock(limits);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  try {
    while (size < PREREAD_BYTES) {
      const result = await clock.read(reader);
      if (result.done) {
        done = true;
        break;
      }
      chunks.push(result.value);
      size += result.value.byteLength;
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
  const init: RequestInit = {
    method: request.method,
    headers: request.headers,
  };
  if (done) {
    clock.stop();
    return {
      request: new Request(request.url, {
        ...init,
        body: concatBytes(chunks, size),
      }),
      failure: () => undefined,
    };
  }
  let failure: ClientBodyError | undefined;
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      chunks.length = 0;
    },
    async pull(controller) {
      try {
        const result = await clock.read(reader);
        if (result.done) {
          clock.stop();
          controller.close();
        } else controller.enqueue(result.value);
      } catch (error) {
        clock.stop();
        failure = error instanceof ClientBodyError
          ? error
          : new ClientBodyError(400, String(error));
        reader.cancel().catch(() => {});
        controller.error(failure);
      }
    },
    cancel(reason) {
      clock.stop();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  // `duplex` is required for a stream body but missing from Deno's types.
  const streamed = { ...init, body: rest, duplex: "half" } as RequestInit;
  return {
    request: new Request(request.url, streamed),
    failure: () => failure,
  };
}

/** The deadline of one body: idle limit and average rate. */
class BodyClock {
  #limits: BodyLimits;
  #started = Date.now();
  #last = this.#started;
  #received = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(limits: BodyLimits) {
    this.#limits = limits;
  }

  /** Milliseconds left before the deadline. */
  #left(): number {
    const { timeout, minRate } = this.#limits;
    const idle = this.#last + timeout * 1000;
    const rate = this.#started +
      Math.max(timeout, this.#received / minRate) * 1000;
    return Math.min(idle, rate) - Date.now();
  }

  /** One read, failed with 408 when the deadline passes first. */
  async read(
    reader: ReadableStreamDefaultReader<Uint8Array>,
  ): Promise<ReadableStreamReadResult<Uint8Array>> {
    const left = this.#left();
    if (left <= 0) throw this.#late();
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await new Promise((resolve, reject) => {
        this.#timer = setTimeout(() => reject(this.#late()), left);
        reader.read().then(resolve, (error) =>
          reject(
            new ClientBodyError(
              400,
              `The request body could not be read: ${describe(error)}`,
            ),
          ));
      });
    } finally {
      this.stop();
    }
    if (!result.done) {
      this.#received += result.value.byteLength;
      this.#last = Date.now();
    }
    return result;
  }

  /** Cancels the pending deadline timer. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #late(): ClientBodyError {
    const { timeout, minRate } = this.#limits;
    return new ClientBodyError(
      408,
      `The request body was too slow: ${this.#received} bytes in ${
        ((Date.now() - this.#started) / 1000).toFixed(1)
      } s (at most ${timeout} s without data, and at least ${minRate} bytes/s)`,
    );
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Lets `service` answer `request`, its body read under `limits` when it has
 * one (`limits` undefined: no deadline, the request as it came).
 *
 * @param service The path service.
 * @param request The incoming request.
 * @param context The service's view of the request.
 * @param limits The body deadline, if any.
 * @returns The service's response.
 * @throws {ClientBodyError} When the client was too slow or sent a malformed
 * body, whatever the service answered.
 */
export async function serveWithBodyLimits(
  service: PathService,
  request: Request,
  context: ServeContext,
  limits: BodyLimits | undefined,
): Promise<Response> {
  const method = request.method;
  const body = limits !== undefined && method !== "GET" && method !== "HEAD"
    ? request.body
    : null;
  if (body === null) return await service.handle(request, context);
  const guarded = await guardBody(request, body, limits!);
  let response: Response;
  try {
    response = await service.handle(guarded.request, context);
  } catch (error) {
    throw guarded.failure() ?? error;
  }
  const failure = guarded.failure();
  if (failure !== undefined) {
    await response.body?.cancel().catch(() => {});
    throw failure;
  }
  return response;
}
