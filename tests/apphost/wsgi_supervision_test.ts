/**
 * Worker supervision (issue 9): errors that say how to fix them, backoff
 * for a replacement that cannot load, one log line per crash loop,
 * recycling by heap size with spawn-before-retire, and the pool statistics.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { isWsgiService } from "../../lib/apphost/mod.ts";
import { APPS_DIR, get, hostApp, waitFor } from "./_setup.ts";

Deno.test("a NotCapable in an app is logged with the path's permissions to extend", async () => {
  await using app = await hostApp({ workers: 1 });
  assert.equal((await get(`${app.url}/probe-uncaught`)).status, 500);
  const line = app.lines.find((l) => l.includes("NotCapable"))!;
  assert.match(line, / warn /);
  assert.ok(
    line.includes(`"permissions" of path "/app"`) &&
      line.includes(`"permissions": {"env": ["HOME"]}`),
    line,
  );
  assert.ok(!line.includes("--allow-env"), line);
});

Deno.test("an app exception is logged at error level with its stack, method and full path", async () => {
  await using app = await hostApp({
    module: "supervised",
    object: "app",
    workers: 1,
  });
  const { status } = await get(`${app.url}/throw?x=1`, { method: "POST" });
  assert.equal(status, 500);
  const line = app.lines.find((l) => l.includes("supervised failure"))!;
  assert.match(line, / error /);
  assert.ok(line.includes(`POST ${app.url}/throw?x=1`), line);
  assert.ok(line.includes("TypeError: supervised failure"), line);
  assert.match(line, /\n\s+at .*supervised\.ts/);
});

Deno.test("a replacement that fails to load is retried with backoff while the path answers 503", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.copyFile(join(APPS_DIR, "supervised.ts"), join(dir, "flaky.ts"));
  await using app = await hostApp({
    module: "flaky",
    object: "app",
    pythonpath: [dir],
    workers: 1,
  });
  const first = (await get(`${app.url}/`)).text;
  await Deno.writeTextFile(join(dir, "fail"), "");
  assert.equal((await get(`${app.url}/exit`)).status, 502);
  await waitFor(
    () => app.lines.some((l) => l.includes("retrying in 0.5 s")),
    "the first retry",
  );
  const during = await get(`${app.url}/`);
  assert.equal(during.status, 503);
  assert.ok(Number(during.headers.get("retry-after")) >= 1);
  await waitFor(
    () => app.lines.some((l) => l.includes("retrying in 1 s")),
    "the second, longer retry",
  );
  await Deno.remove(join(dir, "fail"));
  await waitFor(
    async () => (await get(`${app.url}/`)).status === 200,
    "the path to serve again",
  );
  assert.notEqual((await get(`${app.url}/`)).text, first);
  // Not retried on every request: one failure per delay.
  const failures = app.lines.filter((l) => l.includes("failed to start"));
  assert.ok(failures.length <= 4, `${failures.length} load failures logged`);
  const stats = isWsgiService(app.service) ? app.service.stats() : undefined;
  assert.ok(stats !== undefined && stats.loadFailures >= 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a crash loop is logged once, with the last error", async () => {
  await using app = await hostApp({
    module: "supervised",
    object: "app",
    workers: 1,
  });
  for (let i = 0; i < 7; i++) {
    assert.equal((await get(`${app.url}/exit`)).status, 502);
    await waitFor(
      async () => (await get(`${app.url}/`)).status === 200,
      "the replacement",
    );
  }
  const loops = app.lines.filter((l) => l.includes("crash loop"));
  assert.equal(loops.length, 1, loops.join("\n"));
  assert.ok(loops[0]!.includes("exited with code 3"), loops[0]);
  const crashes = app.lines.filter((l) =>
    / error /.test(l) && l.includes("exited with code 3")
  );
  assert.equal(crashes.length, 5, crashes.join("\n"));
});

Deno.test("recycle_memory replaces a worker whose heap grew, the new one first", async () => {
  await using app = await hostApp({
    module: "supervised",
    object: "app",
    workers: 1,
    recycle_memory: 32,
  });
  const before = (await get(`${app.url}/`)).text;
  // The worker reports its heap within a second of serving.
  assert.equal((await get(`${app.url}/hoard?mb=64`)).text, before);
  await waitFor(
    () => app.lines.some((l) => l.includes("over recycle_memory")),
    "the recycle",
  );
  // Every request succeeds throughout, and a new worker answers now.
  const after = await get(`${app.url}/`);
  assert.equal(after.status, 200);
  assert.notEqual(after.text, before);
  const stats = isWsgiService(app.service) ? app.service.stats() : undefined;
  assert.equal(stats?.recycles, 1);
});

Deno.test("stats() counts responses by status, restarts, timeouts, and the pool's gauges", async () => {
  await using app = await hostApp({ workers: 1, timeout: 0.5 });
  await get(`${app.url}/id`);
  await get(`${app.url}/id`);
  await get(`${app.url}/throw`);
  assert.equal((await get(`${app.url}/exit`)).status, 502);
  assert.equal((await get(`${app.url}/hang`)).status, 504);
  await waitFor(
    async () => (await get(`${app.url}/id`)).status === 200,
    "a worker again",
  );
  assert.ok(isWsgiService(app.service));
  const stats = app.service.stats();
  assert.equal(stats.responses["500"], 1);
  assert.equal(stats.responses["502"], 1);
  assert.equal(stats.responses["504"], 1);
  assert.ok(stats.responses["200"]! >= 3);
  assert.equal(stats.restarts, 1);
  assert.equal(stats.timeouts, 1);
  assert.equal(stats.size, 1);
  assert.equal(stats.inFlight, 0);
  assert.equal(stats.queued, 0);
});
