/**
 * The `metrics` path service of a real node process, parsed by the real
 * Prometheus parser (Debian's python3-prometheus-client): counters match
 * the traffic sent. And the health/ready JSON.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../_helpers/assert.ts";
import {
  RawWamp,
  startFromCheckout,
  tempDir,
  webConfig,
  writeConfig,
} from "./_process.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"name": s.name, "labels": s.labels, "value": s.value, "type": family.type})
print(json.dumps(out))
`;

/** Parses exposition text with prometheus_client (fails on invalid text). */
async function parsePrometheus(text: string): Promise<Sample[]> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", PARSE],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const decoder = new TextDecoder();
  assertEquals(out.code, 0, decoder.decode(out.stderr));
  return JSON.parse(decoder.decode(out.stdout));
}

function value(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
) {
  const hit = samples.find((s) =>
    s.name === name &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  );
  return hit?.value;
}

const APP = `export function app(request: Request): Response {
  const path = new URL(request.url).pathname;
  return path === "/" ? new Response("ok") : new Response("no", { status: 404 });
}
`;

Deno.test("metrics: Prometheus text that the real parser reads, counters matching the traffic", async () => {
  await using dir = await tempDir("cb-metrics-");
  await Deno.writeTextFile(join(dir.path, "app.ts"), APP);
  const cbdir = await writeConfig(
    dir.path,
    webConfig({
      "/": { type: "wsgi", module: "app", object: "app", workers: 2 },
      ws: { type: "websocket" },
      metrics: { type: "metrics" },
    }),
  );
  await using node = startFromCheckout(["start", "--cbdir", cbdir], dir.path);
  const base = await node.url();
  await node.line(/Node started/);

  for (let i = 0; i < 7; i++) await (await fetch(base + "/")).text();
  for (let i = 0; i < 3; i++) await (await fetch(base + "/missing")).text();
  await using wamp = await RawWamp.join(
    base.replace("http", "ws") + "/ws",
    "realm1",
  );
  for (let i = 0; i < 4; i++) {
    wamp.send([16, i + 1, { acknowledge: true }, "com.example.topic", [i]]);
    assertEquals((await wamp.next())[0], 17);
  }

  const response = await fetch(base + "/metrics");
  assertEquals(response.status, 200);
  assert(
    response.headers.get("content-type")!.startsWith(
      "text/plain; version=0.0.4",
    ),
  );
  const samples = await parsePrometheus(await response.text());

  assertEquals(
    value(samples, "crossbar_http_requests_total", { path: "/", code: "2xx" }),
    7,
  );
  assertEquals(
    value(samples, "crossbar_http_requests_total", { path: "/", code: "4xx" }),
    3,
  );
  assertEquals(
    value(samples, "crossbar_http_request_duration_seconds_count", {
      path: "/",
    }),
    10,
  );
  assertEquals(
    value(samples, "crossbar_http_request_duration_seconds_bucket", {
      path: "/",
      le: "+Inf",
    }),
    10,
  );
  // The scrape itself is in flight while it renders.
  assertEquals(
    value(samples, "crossbar_http_requests_in_flight", { path: "/metrics" }),
    1,
  );
  assertEquals(
    value(samples, "crossbar_http_requests_in_flight", { path: "/" }),
    0,
  );
  assertEquals(
    value(samples, "crossbar_wamp_sessions", { realm: "realm1" }),
    1,
  );
  // The pool of "/" (workers: 2), idle and never restarted.
  assertEquals(value(samples, "crossbar_wsgi_workers", { path: "/" }), 2);
  assertEquals(value(samples, "crossbar_wsgi_queue_depth", { path: "/" }), 0);
  assertEquals(
    value(samples, "crossbar_wsgi_worker_restarts_total", { path: "/" }),
    0,
  );
  const wampCount = (direction: string, type: string) =>
    value(samples, "crossbar_wamp_messages_total", { direction, type });
  assertEquals(wampCount("in", "HELLO"), 1);
  assertEquals(wampCount("out", "WELCOME"), 1);
  assertEquals(wampCount("in", "PUBLISH"), 4);
  assertEquals(wampCount("out", "PUBLISHED"), 4);
  // The WebSocket upgrade of the WAMP client.
  assertEquals(
    value(samples, "crossbar_http_requests_total", {
      path: "/ws",
      code: "1xx",
    }),
    1,
  );
  assert((value(samples, "process_resident_memory_bytes") ?? 0) > 1_000_000);
  assert((value(samples, "crossbar_event_loop_lag_seconds") ?? -1) >= 0);
  assertEquals(value(samples, "crossbar_ready"), 1);

  const ready = await fetch(base + "/metrics/ready");
  assertEquals(ready.status, 200);
  const health = await ready.json();
  assertEquals(health.ready, true);
  assertEquals(health.status, "ok");
  assertEquals(health.pools[0].path, "/");
  assertEquals(health.pools[0].size, 2);
  node.kill("SIGTERM");
  assertEquals((await node.status).code, 0);
});

Deno.test("a refused WAMP join is logged at warn with its reason", async () => {
  await using dir = await tempDir("cb-metrics-");
  const cbdir = await writeConfig(
    dir.path,
    webConfig({ ws: { type: "websocket" } }),
  );
  await using node = startFromCheckout(["start", "--cbdir", cbdir], dir.path);
  const base = await node.url();
  const refused = await RawWamp.join(base.replace("http", "ws") + "/ws", "nope")
    .then(() => "joined", (error: Error) => error.message);
  assert(refused.includes("wamp.error.no_such_realm"), refused);
  await node.line(/ warn .*ABORT wamp\.error\.no_such_realm .*nope/);
  node.kill("SIGTERM");
  assertEquals((await node.status).code, 0);
});
