import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { isWsgiService } from "../../lib/apphost/mod.ts";
import { get, hostApp, waitFor } from "./_setup.ts";

const MiB = 1024 * 1024;

/** A deterministic 200 MiB body generated chunk by chunk. */
function generatedBody(chunks: number, hash: ReturnType<typeof createHash>) {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === chunks) return controller.close();
      const chunk = new Uint8Array(MiB);
      let x = i * 2654435761;
      for (let j = 0; j < chunk.length; j += 64) {
        chunk[j] = (x = (x * 48271) % 2147483647) & 0xff;
      }
      hash.update(chunk);
      controller.enqueue(chunk);
      i++;
    },
  }, { highWaterMark: 0 });
}

Deno.test("createWsgiService() streams a 200 MiB upload to the app with bounded memory", async () => {
  await using app = await hostApp({ workers: 1 });
  const expected = createHash("sha256");
  const before = Deno.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, Deno.memoryUsage().rss);
  }, 25);
  try {
    const response = await fetch(`${app.url}/sha256`, {
      method: "POST",
      body: generatedBody(200, expected),
      duplex: "half",
    } as RequestInit);
    const result = await response.json() as { sha256: string; total: number };
    assert.equal(result.total, 200 * MiB);
    assert.equal(result.sha256, expected.digest("hex"));
  } finally {
    clearInterval(sampler);
  }
  // Whole-process RSS (test client, server and worker): far below the body size.
  assert.ok(
    peak - before < 150 * MiB,
    `RSS grew by ${(peak - before) / MiB} MiB`,
  );
});

Deno.test("createWsgiService() delivers server-sent events one by one", async () => {
  await using app = await hostApp({ workers: 1 });
  const response = await fetch(`${app.url}/sse?n=4`);
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  // The app writes the other events only after /sse-release, which is only
  // called once the first event has arrived here.
  const first = setTimeout(
    () => reader.cancel(new Error("no first event")),
    15_000,
  );
  while (!text.includes("\n\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  clearTimeout(first);
  assert.equal(text, "data: first\n\n");
  assert.equal((await get(`${app.url}/sse-release`)).text, "released");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  assert.equal(
    text,
    "data: first\n\ndata: event 1\n\ndata: event 2\n\ndata: event 3\n\n",
  );
});

Deno.test("createWsgiService() cancels the app's response stream when the client leaves", async () => {
  await using app = await hostApp({ workers: 1 });
  const controller = new AbortController();
  const response = await fetch(`${app.url}/forever`, {
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  await reader.read();
  controller.abort();
  await reader.cancel().catch(() => {});
  await waitFor(async () => {
    const events = JSON.parse(
      (await get(`${app.url}/events`)).text,
    ) as string[];
    return events.includes("stream cancelled");
  }, "the app's stream to be cancelled");
});

Deno.test("createWsgiService() aborts the app's request signal when the client leaves", async () => {
  await using app = await hostApp({ workers: 1 });
  const controller = new AbortController();
  const pending = fetch(`${app.url}/wait-abort`, { signal: controller.signal });
  const service = app.service;
  assert.ok(isWsgiService(service));
  await waitFor(
    () => service.stats().inFlight === 1,
    "the request in the worker",
  );
  controller.abort();
  await pending.catch(() => {});
  await waitFor(async () => {
    const events = JSON.parse(
      (await get(`${app.url}/events`)).text,
    ) as string[];
    return events.includes("request aborted");
  }, "the app's request signal to abort");
});

Deno.test("createWsgiService() answers 413 for a declared body above max_body_size", async () => {
  await using app = await hostApp({ max_body_size: 1000 });
  const res = await get(`${app.url}/echo`, {
    method: "POST",
    body: "x".repeat(1001),
  });
  assert.equal(res.status, 413);
  const ok = await get(`${app.url}/echo`, {
    method: "POST",
    body: "x".repeat(1000),
  });
  assert.equal(ok.status, 200);
});

Deno.test("createWsgiService() aborts a chunked upload that exceeds max_body_size", async () => {
  await using app = await hostApp({ max_body_size: 3 * MiB, workers: 1 });
  const response = await fetch(`${app.url}/sha256`, {
    method: "POST",
    body: generatedBody(8, createHash("sha256")),
    duplex: "half",
  } as RequestInit).catch((error) => error as Error);
  if (response instanceof Response) {
    assert.equal(response.status, 413);
    await response.body?.cancel();
  }
  // The pool still serves.
  assert.equal((await get(`${app.url}/counter`)).status, 200);
});

Deno.test("createWsgiService() streams Hono's streamSSE events", async () => {
  await using app = await hostApp({ module: "hono_app", object: "app" });
  const response = await fetch(`${app.url}/events`);
  assert.equal(response.headers.get("content-type"), "text/event-stream");
  const text = await response.text();
  assert.equal(
    text,
    "event: tick\ndata: tick 0\nid: 0\n\nevent: tick\ndata: tick 1\nid: 1\n\nevent: tick\ndata: tick 2\nid: 2\n\n",
  );
});
