/**
 * The pool's policy (grow, queue, timeouts, recycling, retries, idle
 * shrink) with fake workers and a fake clock: no real workers, no sleeps.
 */
import assert from "node:assert/strict";
import {
  type PoolClock,
  WorkerPool,
  type WorkerPoolOptions,
} from "../../lib/apphost/worker_pool.ts";
import type {
  PoolWorker,
  WorkerEvents,
} from "../../lib/apphost/_worker_handle.ts";
import { Exchange } from "../../lib/apphost/_exchange.ts";
import { createLogger } from "../../lib/log/mod.ts";

/** A clock whose time moves only when the test says so. */
class FakeClock implements PoolClock {
  time = 1_000_000;
  #timers = new Map<number, { at: number; f: () => void; every?: number }>();
  #next = 1;
  now(): number {
    return this.time;
  }
  after(f: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.time + ms, f });
    return id;
  }
  every(f: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.time + ms, f, every: ms });
    return id;
  }
  clear(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let due:
        | [number, { at: number; f: () => void; every?: number }]
        | undefined;
      for (const entry of this.#timers) {
        if (
          entry[1].at <= end && (due === undefined || entry[1].at < due[1].at)
        ) {
          due = entry;
        }
      }
      if (due === undefined) break;
      const [id, timer] = due;
      this.time = timer.at;
      if (timer.every !== undefined) timer.at += timer.every;
      else this.#timers.delete(id);
      timer.f();
    }
    this.time = end;
  }
}

/** A worker that loads when told and answers when told. */
class FakeWorker implements PoolWorker {
  static made: FakeWorker[] = [];
  readonly name: string;
  readonly ready: Promise<void>;
  served = 0;
  idleSince: number;
  draining = false;
  replacing = false;
  dead = false;
  loaded = false;
  terminatedWith: number | undefined;
  #exchanges = new Map<number, Exchange>();
  #load!: (error?: Error) => void;
  constructor(readonly events: WorkerEvents, clock: FakeClock) {
    this.name = `fake #${FakeWorker.made.length + 1}`;
    this.idleSince = clock.now();
    this.ready = new Promise<void>((resolve, reject) => {
      this.#load = (error) => {
        if (error) reject(error);
        else {
          this.loaded = true;
          resolve();
        }
      };
    });
    this.ready.catch(() => {});
    FakeWorker.made.push(this);
  }
  get isReady(): boolean {
    return this.loaded && !this.dead;
  }
  get outstanding(): number {
    return this.#exchanges.size;
  }
  exchanges(): IterableIterator<Exchange> {
    return this.#exchanges.values();
  }
  load(error?: Error): void {
    this.#load(error);
  }
  dispatch(ex: Exchange): void {
    ex.worker = this;
    this.served++;
    this.#exchanges.set(ex.id, ex);
  }
  /** The app answers `ex` with `status`. */
  answer(ex: Exchange, status = 200): void {
    ex.respond(new Response(null, { status }));
    this.#exchanges.delete(ex.id);
    this.events.settled(this, ex);
  }
  cancel(ex: Exchange): void {
    this.#exchanges.delete(ex.id);
    this.events.settled(this, ex);
  }
  terminate(status = 502, victim?: Exchange): void {
    if (this.dead) return;
    this.dead = true;
    this.terminatedWith = status;
    for (const ex of [...this.#exchanges.values()]) {
      if (!ex.answered) {
        ex.respond(
          new Response(null, { status: victim === ex ? status : 502 }),
        );
      }
      this.#exchanges.delete(ex.id);
    }
  }
}

interface Setup {
  pool: WorkerPool;
  clock: FakeClock;
  lines: string[];
  /** Submits a request; resolves with its status. */
  send(): { ex: Exchange; status: Promise<number> };
}

let nextId = 1;

function setup(extra: Partial<WorkerPoolOptions> = {}): Setup {
  FakeWorker.made = [];
  const clock = new FakeClock();
  const lines: string[] = [];
  const pool = new WorkerPool({
    specifier: "file:///fake.ts",
    module: "fake",
    path: undefined,
    object: "app",
    permissions: {},
    mount: "/fake",
    min: 1,
    max: 1,
    concurrency: 1,
    maxQueue: 10,
    timeoutMs: undefined,
    maxRequests: undefined,
    idleMs: 60_000,
    loadTimeoutMs: 30_000,
    maxBodySize: undefined,
    displayTracebacks: false,
    wamp: undefined,
    maxMemoryMb: 64,
    logger: createLogger({ level: "debug", write: (l) => lines.push(l) }),
    spawn: (_spec, events) => new FakeWorker(events, clock),
    clock,
    ...extra,
  });
  const send = () => {
    let respond!: (r: Response) => void;
    const status = new Promise<number>((resolve) =>
      respond = (r) => resolve(r.status)
    );
    const request = new Request("http://x/");
    const ex = new Exchange({
      id: nextId++,
      started: clock.now(),
      request,
      context: {
        prefix: "",
        rest: "/",
        search: "",
        remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
        secure: false,
        signal: new AbortController().signal,
      },
      url: "http://x/",
      inline: undefined,
      buffered: undefined,
      stream: false,
    }, (r) => respond(r));
    pool.submit(ex);
    return { ex, status };
  };
  return { pool, clock, lines, send };
}

async function started(s: Setup): Promise<void> {
  const starting = s.pool.start();
  for (const w of FakeWorker.made) w.load();
  await starting;
}

/** Lets promise callbacks (ready, respond) run. */
const settle = () => new Promise<void>((r) => queueMicrotask(r)).then(() => {});

Deno.test("WorkerPool grows toward max while requests queue, and not beyond", async () => {
  const s = setup({ min: 1, max: 2, concurrency: 1 });
  await started(s);
  const a = s.send();
  const b = s.send();
  const c = s.send();
  assert.equal(FakeWorker.made.length, 2);
  assert.equal(s.pool.stats().queued, 2);
  FakeWorker.made[1]!.load();
  await settle();
  assert.equal(s.pool.stats().queued, 1);
  assert.equal(s.pool.stats().inFlight, 2);
  FakeWorker.made[0]!.answer(a.ex);
  assert.equal(await a.status, 200);
  assert.equal(s.pool.stats().queued, 0);
  FakeWorker.made[1]!.answer(b.ex);
  FakeWorker.made[0]!.answer(c.ex);
  assert.deepEqual([await b.status, await c.status], [200, 200]);
  assert.equal(FakeWorker.made.length, 2);
});

Deno.test("WorkerPool answers 503 with Retry-After when the queue is full", async () => {
  const s = setup({ maxQueue: 1 });
  await started(s);
  s.send();
  s.send();
  const rejected = s.send();
  assert.equal(await rejected.status, 503);
});

Deno.test("WorkerPool answers 504 on the fake clock and replaces the worker", async () => {
  const s = setup({ timeoutMs: 1000 });
  await started(s);
  const hung = s.send();
  s.clock.advance(999);
  assert.equal(s.pool.stats().inFlight, 1);
  s.clock.advance(300);
  assert.equal(await hung.status, 504);
  assert.equal(FakeWorker.made[0]!.terminatedWith, 504);
  assert.equal(FakeWorker.made.length, 2);
  assert.equal(s.pool.stats().timeouts, 1);
});

Deno.test("WorkerPool counts the timeout from dispatch, not from the queue", async () => {
  const s = setup({ timeoutMs: 1000 });
  await started(s);
  const first = s.send();
  const queued = s.send();
  s.clock.advance(900);
  FakeWorker.made[0]!.answer(first.ex);
  assert.equal(await first.status, 200);
  assert.equal(queued.ex.worker, FakeWorker.made[0]);
  s.clock.advance(900);
  assert.equal(s.pool.stats().timeouts, 0);
  s.clock.advance(300);
  assert.equal(await queued.status, 504);
});

Deno.test("WorkerPool recycles after max_requests: the old worker finishes, the new one takes the rest", async () => {
  const s = setup({ maxRequests: 2, concurrency: 2 });
  await started(s);
  const a = s.send();
  const b = s.send();
  assert.equal(FakeWorker.made.length, 2);
  const c = s.send();
  assert.equal(s.pool.stats().queued, 1);
  FakeWorker.made[1]!.load();
  await settle();
  assert.equal(c.ex.worker, FakeWorker.made[1]);
  FakeWorker.made[0]!.answer(a.ex);
  assert.equal(FakeWorker.made[0]!.dead, false);
  FakeWorker.made[0]!.answer(b.ex);
  assert.equal(FakeWorker.made[0]!.dead, true);
  assert.ok(s.lines.some((l) => l.includes("recycled after 2 requests")));
  assert.equal(s.pool.stats().recycles, 1);
});

Deno.test("WorkerPool retries a replacement that fails to load with exponential backoff", async () => {
  const s = setup();
  await started(s);
  FakeWorker.made[0]!.events.died(FakeWorker.made[0]!, "exited with code 1");
  assert.equal(FakeWorker.made.length, 2);
  FakeWorker.made[1]!.load(new Error("boom"));
  await settle();
  assert.equal(await s.send().status, 503);
  assert.equal(FakeWorker.made.length, 2, "no spawn per request");
  s.clock.advance(499);
  assert.equal(FakeWorker.made.length, 2);
  s.clock.advance(1);
  assert.equal(FakeWorker.made.length, 3);
  FakeWorker.made[2]!.load(new Error("boom"));
  await settle();
  s.clock.advance(999);
  assert.equal(FakeWorker.made.length, 3);
  s.clock.advance(1);
  assert.equal(FakeWorker.made.length, 4);
  FakeWorker.made[3]!.load();
  await settle();
  const ok = s.send();
  FakeWorker.made[3]!.answer(ok.ex);
  assert.equal(await ok.status, 200);
  assert.ok(s.lines.some((l) => l.includes("retrying in 0.5 s")));
  assert.ok(s.lines.some((l) => l.includes("retrying in 1 s")));
  assert.equal(s.pool.stats().loadFailures, 2);
});

Deno.test("WorkerPool logs a crash loop once", async () => {
  const s = setup();
  await started(s);
  for (let i = 0; i < 8; i++) {
    const w = FakeWorker.made.at(-1)!;
    w.events.died(w, `crashed: Error: number ${i}`);
    FakeWorker.made.at(-1)!.load();
    await settle();
    s.clock.advance(100);
  }
  const loops = s.lines.filter((l) => l.includes("crash loop"));
  assert.equal(loops.length, 1);
  assert.ok(loops[0]!.includes("number 4"));
  s.clock.advance(20_000);
  const w = FakeWorker.made.at(-1)!;
  w.events.died(w, "crashed: Error: later");
  assert.ok(
    s.lines.at(-1)!.includes("later") && / error /.test(s.lines.at(-1)!),
  );
});

Deno.test("WorkerPool stops workers above min after idle_timeout", async () => {
  const s = setup({ min: 1, max: 2, idleMs: 10_000 });
  await started(s);
  const a = s.send();
  const b = s.send();
  FakeWorker.made[1]!.load();
  await settle();
  FakeWorker.made[0]!.answer(a.ex);
  FakeWorker.made[1]!.answer(b.ex);
  for (const w of FakeWorker.made) w.idleSince = s.clock.now();
  s.clock.advance(9_000);
  assert.equal(s.pool.size, 2);
  s.clock.advance(6_000);
  assert.equal(s.pool.size, 1);
});

Deno.test("WorkerPool does not stop a ready worker for one that is still loading", async () => {
  const s = setup({ min: 1, max: 2, idleMs: 1000 });
  await started(s);
  const a = s.send();
  s.send(); // queued: the pool grows, the new worker is still loading
  assert.equal(FakeWorker.made.length, 2);
  FakeWorker.made[0]!.answer(a.ex);
  const busy = FakeWorker.made[0]!;
  for (const ex of [...busy.exchanges()]) busy.answer(ex);
  busy.idleSince = s.clock.now();
  s.clock.advance(5000);
  assert.equal(busy.dead, false);
  assert.equal(s.pool.size, 2);
});
