import assert from "node:assert/strict";
import { createNoneService } from "../../../lib/web/services/none.ts";
import { createRedirectService } from "../../../lib/web/services/redirect.ts";
import { createJsonService } from "../../../lib/web/services/json.ts";
import {
  createNodeInfoService,
  formatUptime,
  type NodeInfo,
} from "../../../lib/web/services/nodeinfo.ts";
import { serveService } from "../../_helpers/serve_service.ts";
import { testEnv } from "./_env.ts";
import { validateServiceConfig } from "../../../lib/config/mod.ts";

Deno.test("createNoneService() answers 404 everywhere", async () => {
  await using server = serveService(
    createNoneService({ type: "none" }, testEnv()),
    {
      prefix: "/nothing",
    },
  );
  for (const path of ["/nothing", "/nothing/", "/nothing/a/b?c=1"]) {
    const response = await fetch(server.url + path);
    assert.equal(response.status, 404, path);
    assert.equal(await response.text(), "404 Not Found\n");
  }
});

Deno.test("createRedirectService() answers 302 on the path and every subpath", async () => {
  const service = createRedirectService(
    { type: "redirect", url: "https://crossbar.io/docs" },
    testEnv(),
  );
  for (const prefix of ["", "/go"]) {
    await using server = serveService(service, { prefix });
    for (const path of [`${prefix}/`, `${prefix}/a/b?x=1`]) {
      const response = await fetch(server.url + path, { redirect: "manual" });
      await response.body?.cancel();
      assert.equal(response.status, 302, path);
      assert.equal(
        response.headers.get("location"),
        "https://crossbar.io/docs",
      );
    }
    const head = await fetch(`${server.url}${prefix}/`, {
      method: "HEAD",
      redirect: "manual",
    });
    assert.equal(head.status, 302);
    assert.equal(await head.text(), "");
  }
});

Deno.test("createRedirectService() answers 405 to other methods", async () => {
  const service = createRedirectService(
    { type: "redirect", url: "/x" },
    testEnv(),
  );
  await using server = serveService(service);
  const response = await fetch(server.url + "/", { method: "POST", body: "" });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get("allow"), "GET, HEAD");
  await response.body?.cancel();
});

Deno.test("createRedirectService() rejects a URL with control characters", () => {
  assert.throws(
    () =>
      createRedirectService(
        { type: "redirect", url: "/a\r\nSet-Cookie: x" },
        testEnv(),
      ),
    TypeError,
  );
});

Deno.test("createJsonService() serves the value compact, with CORS by default", async () => {
  const value = { hello: "world", list: [1, 2, { nested: true }], "ünï": "ç" };
  const service = createJsonService(
    validateServiceConfig({ type: "json", value }),
    testEnv(),
  );
  await using server = serveService(service, { prefix: "/info" });
  const response = await fetch(server.url + "/info", {
    headers: { origin: "http://example.test" },
  });
  assert.equal(response.status, 200);
  assert.equal(
    response.headers.get("content-type"),
    "application/json; charset=utf-8",
  );
  assert.equal(
    response.headers.get("access-control-allow-origin"),
    "http://example.test",
  );
  assert.equal(
    response.headers.get("access-control-allow-credentials"),
    "true",
  );
  assert.equal(response.headers.get("cache-control"), null);
  const text = await response.text();
  assert.equal(text, JSON.stringify(value));
  const post = await fetch(server.url + "/info", {
    method: "POST",
    body: "{}",
  });
  assert.equal(post.status, 405);
  await post.body?.cancel();
});

Deno.test("createJsonService() honours prettify, allow_cross_origin and discourage_caching", async () => {
  const service = createJsonService(
    validateServiceConfig({
      type: "json",
      value: { a: [1] },
      options: {
        prettify: true,
        allow_cross_origin: false,
        discourage_caching: true,
      },
    }),
    testEnv(),
  );
  await using server = serveService(service);
  const response = await fetch(server.url + "/", {
    headers: { origin: "http://example.test" },
  });
  assert.equal(await response.text(), '{\n  "a": [\n    1\n  ]\n}\n');
  assert.equal(response.headers.get("access-control-allow-origin"), null);
  assert.match(response.headers.get("cache-control") ?? "", /no-store/);
  assert.equal(response.headers.get("pragma"), "no-cache");
  const head = await fetch(server.url + "/", { method: "HEAD" });
  assert.equal(await head.text(), "");
  assert.equal(head.headers.get("content-length"), "23");
});

Deno.test("createJsonService() rejects a value that is not JSON", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(
    () =>
      createJsonService(
        validateServiceConfig({ type: "json", value: cyclic }),
        testEnv(),
      ),
    TypeError,
  );
  assert.throws(
    () =>
      createJsonService(
        validateServiceConfig({ type: "json", value: undefined }),
        testEnv(),
      ),
    TypeError,
  );
});

Deno.test("createNodeInfoService() renders a fresh, escaped status page", async () => {
  let sessions = 1;
  const nodeInfo = (): NodeInfo => ({
    version: "0.1.0",
    startedAt: new Date(Date.now() - 90_061_000),
    paths: [{ path: "/", type: "static" }, { path: "ws", type: "websocket" }],
    realms: [{ name: "realm<script>1", sessions: sessions++ }],
    transports: [{ id: "transport001", type: "web", endpoint: "tcp:8080" }],
  });
  const service = createNodeInfoService({ type: "nodeinfo" }, {
    ...testEnv(),
    nodeInfo,
  });
  await using server = serveService(service, { prefix: "/info" });
  const first = await (await fetch(server.url + "/info")).text();
  assert.match(first, /Version: 0\.1\.0/);
  assert.match(first, /up 1d 1h 1m [0-9]+s/);
  assert.match(first, /<td>ws<\/td><td>websocket<\/td>/);
  assert.match(first, /<td>realm&lt;script&gt;1<\/td><td>1<\/td>/);
  assert.match(first, /tcp:8080/);
  assert.ok(!first.includes("<script>"));
  const second = await (await fetch(server.url + "/info")).text();
  assert.match(second, /<td>2<\/td>/);
});

Deno.test("formatUptime() counts days, hours, minutes and seconds", () => {
  assert.equal(formatUptime(5_000), "5s");
  assert.equal(formatUptime(3_600_000), "1h 0m 0s");
  assert.equal(formatUptime(90_061_000), "1d 1h 1m 1s");
  assert.equal(formatUptime(-10), "0s");
});
