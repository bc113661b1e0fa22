import assert from "node:assert/strict";
import { isWsgiService, type PoolStats } from "../../lib/apphost/mod.ts";
import { get, hostApp, type HostedApp, waitFor } from "./_setup.ts";

/** Waits until the pool's statistics satisfy `check` (no fixed sleeps). */
function until(
  app: HostedApp,
  check: (stats: PoolStats) => boolean,
  what: string,
): Promise<void> {
  const service = app.service;
  if (!isWsgiService(service)) throw new TypeError("not a wsgi service");
  return waitFor(() => check(service.stats()), what);
}

Deno.test("createWsgiService() answers 500 with a short body when the app throws", async () => {
  await using app = await hostApp();
  const res = await get(`${app.url}/throw`);
  assert.equal(res.status, 500);
  assert.equal(res.text, "500 Internal Server Error\n");
  assert.ok(app.lines.some((l) => l.includes("Error: fixture failure")));
  assert.equal((await get(`${app.url}/counter`)).status, 200);
});

Deno.test("createWsgiService() shows the stack when display_tracebacks is set", async () => {
  await using app = await hostApp({ display_tracebacks: true });
  const res = await get(`${app.url}/throw`);
  assert.equal(res.status, 500);
  assert.match(res.text, /Error: fixture failure\n\s+at /);
});

Deno.test("createWsgiService() answers 502 when the worker crashes and replaces it", async () => {
  await using app = await hostApp({ workers: 1 });
  const before = (await get(`${app.url}/id`)).text;
  assert.equal((await get(`${app.url}/crash`)).status, 502);
  const after = await get(`${app.url}/id`);
  assert.equal(after.status, 200);
  assert.notEqual(after.text, before);
  assert.ok(
    app.lines.some((l) => /error.*crashed: Error: crash in a timer/.test(l)),
  );
});

Deno.test("createWsgiService() answers 502 when the app calls Deno.exit", async () => {
  await using app = await hostApp({ workers: 1 });
  assert.equal((await get(`${app.url}/exit`)).status, 502);
  assert.ok(app.lines.some((l) => l.includes("exited with code 7")));
  assert.equal((await get(`${app.url}/counter`)).text, "1");
});

Deno.test("createWsgiService() answers 504 after timeout and replaces the worker", async () => {
  await using app = await hostApp({ workers: 1, timeout: 1 });
  const hung = get(`${app.url}/hang`);
  await until(app, (s) => s.inFlight === 1, "the hung request in the worker");
  const bystander = get(`${app.url}/slow?ms=60000`);
  await until(app, (s) => s.inFlight === 2, "the bystander in the worker");
  assert.equal((await hung).status, 504);
  assert.equal((await bystander).status, 502);
  assert.ok(app.lines.some((l) => l.includes("not answered within 1 s")));
  assert.equal((await get(`${app.url}/counter`)).text, "1");
});

Deno.test("createWsgiService() answers 503 with Retry-After when the queue is full", async () => {
  await using app = await hostApp({ workers: 1, concurrency: 1, max_queue: 1 });
  const running = get(`${app.url}/slow?ms=3000`);
  await until(app, (s) => s.inFlight === 1, "the first request in the worker");
  const queued = get(`${app.url}/slow?ms=10`);
  await until(app, (s) => s.queued === 1, "the second request queued");
  const rejected = await get(`${app.url}/id`);
  assert.equal(rejected.status, 503);
  assert.equal(rejected.headers.get("retry-after"), "1");
  assert.equal((await running).status, 200);
  assert.equal((await queued).status, 200);
});

Deno.test("createWsgiService() recycles a worker after max_requests, gracefully", async () => {
  await using app = await hostApp({ workers: 1, max_requests: 2 });
  const slow = get(`${app.url}/slow?ms=800`);
  await until(app, (s) => s.inFlight === 1, "the slow request in the worker");
  const second = (await get(`${app.url}/id`)).text;
  const third = (await get(`${app.url}/id`)).text;
  const first = await slow;
  assert.equal(first.status, 200);
  assert.equal(first.text, second);
  assert.notEqual(third, second);
  await waitFor(
    () => app.lines.some((l) => l.includes("recycled after 2 requests")),
    "the recycle log line",
  );
});

Deno.test("createWsgiService() grows the pool under load up to maxthreads and not beyond", async () => {
  await using app = await hostApp({
    minthreads: 1,
    maxthreads: 3,
    concurrency: 1,
  });
  const ids = await Promise.all(
    Array.from({ length: 8 }, () => get(`${app.url}/slow?ms=1000`)),
  );
  const distinct = new Set(ids.map((r) => r.text));
  assert.ok(
    distinct.size >= 2 && distinct.size <= 3,
    `${distinct.size} workers`,
  );
  const started = app.lines.filter((l) => / #\d+ started$/.test(l)).length;
  assert.ok(started <= 3, `${started} workers started`);
});

Deno.test("createWsgiService() starts one worker for one request at a time", async () => {
  await using app = await hostApp({ minthreads: 1, maxthreads: 4 });
  for (let i = 0; i < 5; i++) await get(`${app.url}/id`);
  const started = app.lines.filter((l) => / #\d+ started$/.test(l)).length;
  assert.equal(started, 1);
});

Deno.test("PathService.close() lets in-flight requests finish before the deadline", async () => {
  await using app = await hostApp({ workers: 1 });
  const slow = get(`${app.url}/slow?ms=300`);
  await until(app, (s) => s.inFlight === 1, "the slow request in the worker");
  await app.service.close(Date.now() + 10_000);
  assert.equal((await slow).status, 200);
});

Deno.test("PathService.close() cuts requests still running at the deadline", async () => {
  await using app = await hostApp({ workers: 1 });
  const hung = get(`${app.url}/hang`);
  await until(app, (s) => s.inFlight === 1, "the hung request in the worker");
  await app.service.close(Date.now() + 200);
  assert.equal((await hung).status, 502);
  assert.equal((await get(`${app.url}/id`)).status, 503);
});

Deno.test("createWsgiService() answers 500 for a response whose body was already read", async () => {
  await using app = await hostApp({ object: "usedBody", workers: 1 });
  assert.equal((await get(`${app.url}/`)).status, 500);
  assert.equal((await get(`${app.url}/`)).status, 500);
  assert.ok(
    !app.lines.some((l) => l.includes("crashed")),
    app.lines.join("\n"),
  );
});

Deno.test("createWsgiService() cuts a streaming response when its worker crashes", async () => {
  await using app = await hostApp({ workers: 1 });
  const response = await fetch(`${app.url}/crash-stream`);
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  const first = await reader.read();
  assert.equal(new TextDecoder().decode(first.value), "partial ");
  await assert.rejects(async () => {
    while (!(await reader.read()).done) { /* drain */ }
  });
  assert.equal((await get(`${app.url}/counter`)).text, "1");
});

Deno.test("createWsgiService() stops workers above minthreads after idle_timeout", async () => {
  await using app = await hostApp({
    minthreads: 1,
    maxthreads: 2,
    concurrency: 1,
    idle_timeout: 0.2,
  });
  await Promise.all([
    get(`${app.url}/slow?ms=300`),
    get(`${app.url}/slow?ms=300`),
  ]);
  await waitFor(
    () => app.lines.some((l) => l.includes("stopped after being idle")),
    "an idle worker to stop",
  );
  const started = app.lines.filter((l) => / #\d+ started$/.test(l)).length;
  assert.equal(started, 2);
  assert.equal((await get(`${app.url}/id`)).status, 200);
});

Deno.test("PathService.close() lets an upload still being read finish and be served", async () => {
  await using app = await hostApp({ workers: 1 });
  let reading!: () => void;
  const started = new Promise<void>((resolve) => reading = resolve);
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  let step = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (step === 0) reading();
      else if (step === 1) await released;
      else return controller.close();
      step++;
      controller.enqueue(new Uint8Array(1000));
    },
  });
  // A known length under BUFFER_MAX: the host reads it whole first.
  const request = new Request(`${app.origin}/count-body`, {
    method: "POST",
    body,
    headers: { "content-length": "2000" },
    duplex: "half",
  } as RequestInit);
  const answer = app.service.handle(request, {
    prefix: "",
    rest: "/count-body",
    search: "",
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
    secure: false,
    signal: new AbortController().signal,
  });
  await started;
  const closing = app.service.close(Date.now() + 30_000);
  release();
  const response = await answer;
  assert.equal(response.status, 200);
  assert.equal((await response.json()).total, 2000);
  await closing;
});
