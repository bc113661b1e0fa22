/**
 * A pool of app workers for one wsgi path: least-outstanding scheduling, a
 * bounded wait queue, growth under load, replacement of dead workers,
 * timeouts and graceful recycling.
 *
 * @module
 */
import type { Logger } from "../log/logger.ts";
import type { ErrorData, LoadFailure } from "./_protocol.ts";
import { plainResponse } from "./_responses.ts";
import type { Exchange } from "./_exchange.ts";
import {
  type PoolWorker,
  type SpawnWorker,
  WorkerHandle,
  type WorkerSpec,
} from "./_worker_handle.ts";
import { AppLoadError } from "./errors.ts";
import { withinLoadTimeout } from "./_load_timeout.ts";
import { WATCH_EVERY_MS, watchAborts } from "./_abort_watch.ts";
import type { WampAccess } from "./_wamp_access.ts";
import { permissionHint } from "./_hints.ts";

/** First retry delay after a replacement worker failed to load. */
const RETRY_FIRST_MS = 500;
/** Longest retry delay. */
const RETRY_MAX_MS = 30_000;
/** Crashes within {@link CRASH_WINDOW_MS} that make a crash loop. */
const CRASH_LOOP = 5;
const CRASH_WINDOW_MS = 10_000;

/** Time and timers, injectable so that the pool's policy runs on a fake clock. */
export interface PoolClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `f` after `ms`; returns a handle for {@link clear}. */
  after(f: () => void, ms: number): unknown;
  /** Calls `f` every `ms`; returns a handle for {@link clear}. */
  every(f: () => void, ms: number): unknown;
  /** Cancels a handle of {@link after} or {@link every}. */
  clear(handle: unknown): void;
}

/** The real clock. */
export const SYSTEM_CLOCK: PoolClock = {
  now: () => Date.now(),
  after: (f, ms) => setTimeout(f, ms),
  every: (f, ms) => setInterval(f, ms),
  clear: (handle) => clearTimeout(handle as number),
};

/** Read-only counters of one pool (see {@link WorkerPool.stats}). */
export interface PoolStats {
  /** Live workers (starting ones included). */
  size: number;
  /** Requests being served by a worker. */
  inFlight: number;
  /** Requests waiting for a worker. */
  queued: number;
  /** Workers replaced after a crash, exit, protocol violation or OOM. */
  restarts: number;
  /** Requests answered 504 because of `timeout` (their worker replaced). */
  timeouts: number;
  /** Workers recycled (`max_requests`, `recycle_memory`). */
  recycles: number;
  /** Replacement workers whose app failed to load. */
  loadFailures: number;
}

/** Options for {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** Module specifier to import in each worker. */
  specifier: string;
  /** Configured module name (for messages). */
  module: string;
  /** Resolved file (for messages). */
  path: string | undefined;
  /** Export name. */
  object: string;
  /** Worker permissions. */
  permissions: Deno.PermissionOptionsObject;
  /** Mount path (for logs). */
  mount: string;
  /** Workers started up front and kept (at least 1). */
  min: number;
  /** Most workers. */
  max: number;
  /** Requests one worker serves at once; beyond that they queue. */
  concurrency: number;
  /** Most requests waiting for a worker; beyond that 503. */
  maxQueue: number;
  /** Milliseconds until an unanswered request gets 504. */
  timeoutMs: number | undefined;
  /** Requests after which a worker is recycled. */
  maxRequests: number | undefined;
  /** Milliseconds after which an idle worker above `min` is stopped. */
  idleMs: number;
  /** Milliseconds the app may take to load in a new worker. */
  loadTimeoutMs: number;
  /** Limit for streamed request bodies. */
  maxBodySize: number | undefined;
  /** Put stack traces into 500 responses. */
  displayTracebacks: boolean;
  /** Router access for the apps' sessions (the path's `wamp` config). */
  wamp: WampAccess | undefined;
  /** Heap limit of each app thread in MiB (`max_memory`). */
  maxMemoryMb: number;
  /** Makes workers. @default {a real app worker} */
  spawn?: SpawnWorker;
  /** Time source. @default {SYSTEM_CLOCK} */
  clock?: PoolClock;
  /** Recycle a worker whose heap grew past this many MiB (spawn first). */
  recycleMemoryMb?: number | undefined;
  logger: Logger;
}

/** Runs the workers of one wsgi path. */
export class WorkerPool {
  #options: WorkerPoolOptions;
  #log: Logger;
  #workers: PoolWorker[] = [];
  #retiring = new Set<PoolWorker>();
  #clock: PoolClock;
  #makeWorker: SpawnWorker;
  #queue: Exchange[] = [];
  #starting = 0;
  #closed = false;
  #running = false;
  /** One poller for timeouts and client aborts, while requests are pending. */
  #ticker: unknown;
  #shrink: unknown;
  #idle: (() => void) | undefined;
  #failures = 0;
  #retryAt = 0;
  #retryTimer: unknown;
  #crashes: number[] = [];
  #inCrashLoop = false;
  #counts = { restarts: 0, timeouts: 0, recycles: 0, loadFailures: 0 };
  #dispatchedAt = new WeakMap<Exchange, number>();

  /** Creates an empty pool; call {@link start}. */
  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#log = options.logger;
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#makeWorker = options.spawn ??
      ((spec, events) => new WorkerHandle(spec, events));
  }

  /**
   * Starts the first workers and waits until the app is loaded in them.
   *
   * @throws {AppLoadError} If the app cannot be loaded.
   */
  async start(): Promise<void> {
    const first = Array.from(
      { length: Math.max(1, this.#options.min) },
      () => this.#spawn(),
    );
    try {
      await withinLoadTimeout(
        Promise.all(first.map((w) => w.ready)),
        this.#options.loadTimeoutMs,
      );
    } catch (error) {
      for (const w of first) w.terminate();
      throw loadError(this.#options, error);
    }
    this.#running = true;
  }

  /**
   * Counters and gauges of this pool, for metrics.
   *
   * @returns A fresh snapshot.
   */
  stats(): PoolStats {
    let inFlight = 0;
    for (const w of [...this.#workers, ...this.#retiring]) {
      inFlight += w.outstanding;
    }
    return {
      size: this.#workers.length + this.#retiring.size,
      inFlight,
      queued: this.#queue.length,
      ...this.#counts,
    };
  }

  /** Hands `ex` to a worker, queues it, or answers 503. */
  submit(ex: Exchange): void {
    if (this.#closed) return ex.respond(plainResponse(503));
    const now = this.#clock.now();
    if (this.#workers.length === 0 && now < this.#retryAt) {
      // The app failed to load in a replacement: 503 until the next try.
      const wait = Math.ceil((this.#retryAt - now) / 1000);
      return ex.respond(
        plainResponse(503, undefined, { "retry-after": String(wait) }),
      );
    }
    this.#ticker ??= this.#clock.every(() => this.#tick(), this.#tickEvery());
    const worker = this.#pick();
    // Like a thread pool: grow when a request finds every worker busy.
    const allBusy = worker === undefined || worker.outstanding > 0;
    if (worker !== undefined) this.#dispatch(worker, ex);
    else if (this.#queue.length >= this.#options.maxQueue) {
      this.#log.debug(`path "${this.#options.mount}": queue full, 503`);
      ex.respond(plainResponse(503, undefined, { "retry-after": "1" }));
      return;
    } else this.#queue.push(ex);
    this.#grow(allBusy);
  }

  /** The client of `ex` went away. */
  cancel(ex: Exchange): void {
    // A streaming response is cancelled by Deno.serve itself (body cancel).
    if (ex.answered) return;
    if (ex.worker !== undefined) return ex.worker.cancel(ex);
    const at = this.#queue.indexOf(ex);
    if (at >= 0) this.#queue.splice(at, 1);
    ex.respond(plainResponse(499));
  }

  /** Live workers (for tests and status). */
  get size(): number {
    return this.#workers.length;
  }

  /**
   * Stops taking requests, lets in-flight ones finish until `deadline`, then
   * terminates every worker.
   */
  async close(deadline: number): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.clear(this.#retryTimer);
    this.#stopTicker();
    this.#stopShrink();
    for (const ex of this.#queue.splice(0)) ex.respond(plainResponse(503));
    const all = () => [...this.#workers, ...this.#retiring];
    const busy = () => all().some((w) => w.outstanding > 0 && !w.dead);
    if (busy()) {
      let timer: unknown;
      await Promise.race([
        new Promise<void>((resolve) => this.#idle = resolve),
        new Promise<void>((resolve) => {
          const left = Math.max(0, deadline - this.#clock.now());
          timer = this.#clock.after(resolve, left);
        }),
      ]);
      this.#clock.clear(timer);
    }
    for (const w of all()) w.terminate();
    this.#workers = [];
    this.#retiring.clear();
  }

  /** How often {@link #tick} runs: aborts and timeouts, one poller. */
  #tickEvery(): number {
    const t = this.#options.timeoutMs;
    return t === undefined
      ? WATCH_EVERY_MS
      : Math.min(WATCH_EVERY_MS, Math.max(50, t / 4));
  }

  /** Watches client aborts, enforces timeouts; stops when nothing waits. */
  #tick(): void {
    const now = this.#clock.now();
    if (this.#options.timeoutMs !== undefined) this.#checkTimeouts(now);
    const pending = [...this.#queue];
    for (const worker of [...this.#workers, ...this.#retiring]) {
      pending.push(...worker.exchanges());
    }
    const seen = watchAborts(pending, (ex) => this.cancel(ex), now);
    if (seen === 0) this.#stopTicker();
  }

  /** Stops workers above `min` that have been idle for `idleMs`. */
  #retireIdle(): void {
    const { min, idleMs, mount } = this.#options;
    const now = this.#clock.now();
    // Only ready workers count toward `min`: one still loading serves no one.
    let ready = this.#workers.filter((w) => w.isReady).length;
    for (const worker of [...this.#workers].reverse()) {
      if (ready <= Math.max(1, min)) break;
      if (!worker.isReady || worker.outstanding > 0) continue;
      if (now - worker.idleSince < idleMs) continue;
      this.#remove(worker);
      ready--;
      worker.terminate();
      this.#log.info(
        `path "${mount}": ${worker.name} stopped after being idle`,
      );
    }
    if (this.#workers.length <= Math.max(1, min)) this.#stopShrink();
  }

  #stopShrink(): void {
    if (this.#shrink !== undefined) this.#clock.clear(this.#shrink);
    this.#shrink = undefined;
  }

  #stopTicker(): void {
    if (this.#ticker !== undefined) this.#clock.clear(this.#ticker);
    this.#ticker = undefined;
  }

  #pick(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const w of this.#workers) {
      if (!w.isReady || w.outstanding >= this.#options.concurrency) continue;
      if (best === undefined || w.outstanding < best.outstanding) best = w;
    }
    return best;
  }

  #dispatch(worker: PoolWorker, ex: Exchange): void {
    this.#dispatchedAt.set(ex, this.#clock.now());
    worker.dispatch(ex);
    const max = this.#options.maxRequests;
    if (max !== undefined && worker.served >= max) this.#retire(worker);
  }

  #grow(allBusy: boolean): void {
    const { max } = this.#options;
    if (this.#clock.now() < this.#retryAt) return;
    let wanted = allBusy && this.#starting === 0;
    while (this.#workers.length < max) {
      if (!wanted && this.#queue.length <= this.#starting) return;
      wanted = false;
      this.#spawn();
    }
  }

  #spawn(): PoolWorker {
    const o = this.#options;
    const spec: WorkerSpec = {
      specifier: o.specifier,
      object: o.object,
      permissions: o.permissions,
      name: `wsgi ${o.mount}`,
      check: false,
      maxBodySize: o.maxBodySize,
      mount: o.mount,
      wamp: o.wamp,
      maxMemoryMb: o.maxMemoryMb,
    };
    const worker = this.#makeWorker(spec, {
      died: (w, reason) => this.#onDied(w, reason),
      heap: (w, bytes) => this.#onHeap(w, bytes),
      settled: (w) => this.#onSettled(w),
      failed: (w, ex, error) => this.#onAppError(w, ex, error),
      streamFailed: (w, error) =>
        this.#log.warn(
          `path "${o.mount}": ${w.name}: response stream failed: ${error.name}: ${error.message}`,
        ),
    });
    this.#workers.push(worker);
    this.#starting++;
    if (this.#running && this.#workers.length > this.#options.min) {
      const every = Math.max(20, Math.min(5000, this.#options.idleMs / 2));
      this.#shrink ??= this.#clock.every(() => this.#retireIdle(), every);
    }
    worker.ready.then(() => {
      this.#starting--;
      this.#failures = 0;
      this.#retryAt = 0;
      this.#log.debug(`path "${o.mount}": ${worker.name} started`);
      this.#pump();
    }, (error) => {
      this.#starting--;
      this.#remove(worker);
      if (this.#closed || !this.#running) return;
      this.#counts.loadFailures++;
      this.#failures++;
      const delay = Math.min(
        RETRY_MAX_MS,
        RETRY_FIRST_MS * 2 ** (this.#failures - 1),
      );
      this.#retryAt = this.#clock.now() + delay;
      this.#log.error(
        `path "${o.mount}": ${worker.name} failed to start: ${
          loadError(o, error).message
        }; retrying in ${delay / 1000} s (the path answers 503 meanwhile)`,
      );
      if (this.#workers.length === 0) {
        for (const ex of this.#queue.splice(0)) {
          ex.respond(plainResponse(503, undefined, { "retry-after": "1" }));
        }
      }
      this.#clock.clear(this.#retryTimer);
      this.#retryTimer = this.#clock.after(() => {
        this.#retryTimer = undefined;
        if (this.#closed) return;
        if (this.#workers.length < Math.max(1, this.#options.min)) {
          this.#retryAt = 0;
          this.#spawn();
        }
      }, delay);
    });
    return worker;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const worker = this.#pick();
      if (worker === undefined) break;
      this.#dispatch(worker, this.#queue.shift()!);
    }
    if (this.#queue.length > 0) this.#grow(false);
  }

  #onSettled(worker: PoolWorker): void {
    if (worker.draining && worker.outstanding === 0) {
      this.#retiring.delete(worker);
      worker.terminate();
      this.#log.info(
        `path "${this.#options.mount}": ${worker.name} recycled after ${worker.served} requests`,
      );
    }
    if (this.#closed) {
      if (
        this.#idle &&
        ![...this.#workers, ...this.#retiring].some((w) => w.outstanding > 0)
      ) {
        this.#idle();
      }
      return;
    }
    this.#pump();
  }

  #retire(worker: PoolWorker): void {
    if (worker.draining) return;
    this.#counts.recycles++;
    worker.draining = true;
    this.#remove(worker);
    this.#retiring.add(worker);
    this.#spawn();
    if (worker.outstanding === 0) this.#onSettled(worker);
  }

  #remove(worker: PoolWorker): void {
    const at = this.#workers.indexOf(worker);
    if (at >= 0) this.#workers.splice(at, 1);
  }

  /**
   * A worker's heap grew past `recycle_memory`: its replacement starts
   * first, and only once it is ready does the old one stop taking requests
   * (then it ends when idle).
   */
  #onHeap(worker: PoolWorker, bytes: number): void {
    const limit = this.#options.recycleMemoryMb;
    if (limit === undefined || bytes <= limit * 1024 * 1024) return;
    if (worker.draining || worker.replacing || this.#closed) return;
    worker.replacing = true;
    const next = this.#spawn();
    next.ready.then(() => {
      if (worker.dead || this.#closed) return;
      this.#log.info(
        `path "${this.#options.mount}": ${worker.name} heap ${
          (bytes / 1048576).toFixed(0)
        } MiB is over recycle_memory (${limit} MiB); ${next.name} takes over`,
      );
      this.#counts.recycles++;
      worker.draining = true;
      this.#remove(worker);
      this.#retiring.add(worker);
      if (worker.outstanding === 0) this.#onSettled(worker);
    }, () => {
      worker.replacing = false;
    });
  }

  #onDied(worker: PoolWorker, reason: string): void {
    const o = this.#options;
    const pending = worker.outstanding;
    this.#counts.restarts++;
    const now = this.#clock.now();
    this.#crashes.push(now);
    while (this.#crashes[0]! < now - CRASH_WINDOW_MS) this.#crashes.shift();
    const looping = this.#crashes.length >= CRASH_LOOP;
    reason = permissionHint(reason, o.mount);
    const text =
      `path "${o.mount}": ${worker.name} ${reason}; ${pending} request(s) answered 502, replacing it`;
    if (looping && !this.#inCrashLoop) {
      this.#log.error(
        `path "${o.mount}": crash loop: ${this.#crashes.length} worker crashes within ${
          CRASH_WINDOW_MS / 1000
        } s (further crashes are logged at debug level until it calms down); last: ${worker.name} ${reason}`,
      );
    } else if (looping) this.#log.debug(text);
    else this.#log.error(text);
    this.#inCrashLoop = looping;
    this.#replace(worker, 502);
  }

  #replace(worker: PoolWorker, status: number, victim?: Exchange): void {
    const wasRetiring = this.#retiring.delete(worker);
    this.#remove(worker);
    worker.terminate(status, victim);
    if (!this.#closed && !wasRetiring) this.#spawn();
  }

  #onAppError(worker: PoolWorker, ex: Exchange, error: ErrorData): Response {
    const o = this.#options;
    if (error.name === "NotCapable") {
      this.#log.warn(
        `path "${o.mount}": ${worker.name}: app failed on ${ex.request.method} ${ex.request.url}: NotCapable: ${
          permissionHint(error.message, o.mount)
        }`,
      );
    } else {
      this.#log.error(
        `path "${o.mount}": ${worker.name}: app failed on ${ex.request.method} ${ex.request.url}: ${
          error.stack || `${error.name}: ${error.message}`
        }`,
      );
    }
    return plainResponse(500, o.displayTracebacks ? error.stack : undefined);
  }

  /**
   * The timeout counts from when a worker got the request, as gunicorn's
   * and uWSGI's do: waiting in the queue (e.g. while a replacement loads)
   * is bounded by `max_queue` instead.
   */
  #checkTimeouts(now: number): void {
    const limit = this.#options.timeoutMs!;
    for (const worker of [...this.#workers, ...this.#retiring]) {
      for (const ex of worker.exchanges()) {
        const since = this.#dispatchedAt.get(ex) ?? ex.started;
        if (ex.answered || now - since <= limit) continue;
        this.#log.error(
          `path "${this.#options.mount}": ${ex.request.method} ${ex.url} not answered within ${
            limit / 1000
          } s; terminating ${worker.name}`,
        );
        this.#counts.timeouts++;
        this.#replace(worker, 504, ex);
        break;
      }
    }
  }
}

function loadError(o: WorkerPoolOptions, error: unknown): AppLoadError {
  const where = `module "${o.module}"${o.path ? ` ("${o.path}")` : ""}`;
  const options = { module: o.module, path: o.path, cause: error };
  if (error instanceof Error || !isLoadFailure(error)) {
    const text = error instanceof Error ? error.message : String(error);
    return new AppLoadError(
      `Cannot start a worker for WSGI app ${where}: ${text}`,
      options,
    );
  }
  const exports = error.exports.length > 0
    ? error.exports.map((e) => `"${e}"`).join(", ")
    : "none";
  switch (error.kind) {
    case "import": {
      // Deno's hint names a CLI flag; for an app it is the path's config.
      const text = stripAnsi(error.message).replace(
        /, run again with the --allow-read flag/,
        ` (grant it with "permissions": {"read": [...]})`,
      );
      return new AppLoadError(
        `WSGI app ${where} import failed: ${error.name}: ${text}`,
        options,
      );
    }
    case "export":
      return new AppLoadError(
        `WSGI app object "${o.object}" not in ${where}: exports found: ${exports}`,
        options,
      );
    case "object":
      return new AppLoadError(
        `WSGI app object "${o.object}" in ${where} is not usable: expected a function (request, info) => Response or an object with a fetch method, got ${error.type}`,
        options,
      );
  }
}

function isLoadFailure(value: unknown): value is LoadFailure {
  return typeof value === "object" && value !== null &&
    (value as { t?: unknown }).t === "load_error";
}

// deno-lint-ignore no-control-regex -- matches terminal color codes
const ANSI_REGEXP = /\x1b\[[0-9;]*m/g;

function stripAnsi(text: string): string {
  return text.replace(ANSI_REGEXP, "");
}
