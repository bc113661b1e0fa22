import assert from "node:assert/strict";
import { createReverseProxyService } from "../../../lib/web/services/reverseproxy.ts";
import type { ReverseProxyServiceConfig } from "../../../lib/config/mod.ts";
import { validateServiceConfig } from "../../../lib/config/mod.ts";
import { serveService } from "../../_helpers/serve_service.ts";
import { directContext, testEnv } from "./_env.ts";
import { rawRequest } from "./_raw_http.ts";

interface Backend extends AsyncDisposable {
  port: number;
  /** Resolves when a /stream response body was cancelled. */
  streamCancelled: Promise<void>;
  /** Resolves when a pending /slow request was aborted by the proxy. */
  slowAborted: Promise<void>;
}

function startBackend(): Backend {
  const cancelled = Promise.withResolvers<void>();
  const slowAborted = Promise.withResolvers<void>();
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    signal: controller.signal,
  }, async (request) => {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/slow":
        await new Promise<void>((resolve) => {
          const onAbort = () => {
            clearTimeout(timer);
            slowAborted.resolve();
            resolve();
          };
          const timer = setTimeout(() => {
            request.signal.removeEventListener("abort", onAbort);
            resolve();
          }, 5000);
          request.signal.addEventListener("abort", onAbort, { once: true });
        });
        return new Response("late");
      case "/redirect":
        return new Response(null, {
          status: 302,
          headers: { location: "http://elsewhere.test/target?a=1" },
        });
      case "/cookies": {
        const headers = new Headers();
        headers.append("set-cookie", "a=1; Path=/");
        headers.append("set-cookie", "b=2; Path=/");
        return new Response("ok", { headers });
      }
      case "/big":
        return new Response("y".repeat(2 * 1024 * 1024));
      case "/empty":
        return new Response(null, { status: 204 });
      case "/stream": {
        let timer: ReturnType<typeof setInterval> | undefined;
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            timer = setInterval(
              () => c.enqueue(new TextEncoder().encode("tick\n")),
              20,
            );
          },
          cancel() {
            clearInterval(timer);
            cancelled.resolve();
          },
        });
        return new Response(body);
      }
    }
    const body = await request.text();
    return Response.json({
      method: request.method,
      path: url.pathname + url.search,
      headers: Object.fromEntries(request.headers),
      body: body.length > 100 ? `${body.length} bytes` : body,
    }, { status: url.pathname === "/teapot" ? 418 : 200 });
  });
  return {
    port: (server.addr as Deno.NetAddr).port,
    streamCancelled: cancelled.promise,
    slowAborted: slowAborted.promise,
    [Symbol.asyncDispose]: async () => {
      controller.abort();
      await server.finished;
    },
  };
}

function proxy(
  backendPort: number,
  extra: Partial<ReverseProxyServiceConfig> = {},
  prefix = "",
) {
  const service = createReverseProxyService(
    validateServiceConfig({
      type: "reverseproxy",
      host: "127.0.0.1",
      port: backendPort,
      ...extra,
    }),
    testEnv(),
  );
  return serveService(service, { prefix });
}

Deno.test("createReverseProxyService() forwards method, path, query, body and headers", async () => {
  await using backend = startBackend();
  await using server = proxy(backend.port, {
    path: "/backend",
    forwarded_port: 443,
    forwarded_proto: "https",
  }, "/api");
  const response = await fetch(server.url + "/api/things/1?x=1&y=%20", {
    method: "PUT",
    body: "payload",
    headers: {
      "content-type": "text/plain",
      "x-custom": "kept",
      "x-forwarded-for": "10.0.0.1",
      "proxy-authorization": "Basic c2VjcmV0",
      "te": "trailers",
    },
  });
  assert.equal(response.status, 200);
  const seen = await response.json();
  assert.equal(seen.method, "PUT");
  assert.equal(seen.path, "/backend/things/1?x=1&y=%20");
  assert.equal(seen.body, "payload");
  assert.equal(seen.headers["x-custom"], "kept");
  assert.equal(seen.headers["content-type"], "text/plain");
  assert.equal(seen.headers["host"], `127.0.0.1:${backend.port}`);
  assert.equal(seen.headers["x-forwarded-for"], "10.0.0.1, 127.0.0.1");
  assert.equal(seen.headers["x-real-ip"], "127.0.0.1");
  assert.equal(seen.headers["x-forwarded-host"], `127.0.0.1:${server.port}`);
  assert.equal(seen.headers["x-forwarded-port"], "443");
  assert.equal(seen.headers["x-forwarded-proto"], "https");
  assert.equal(seen.headers["proxy-authorization"], undefined);
  assert.equal(seen.headers["te"], undefined);
});

Deno.test("createReverseProxyService() drops headers named in Connection", async () => {
  await using backend = startBackend();
  await using server = proxy(backend.port);
  const { status, text } = await rawRequest(server.port, "/hop", {
    headers: {
      connection: "x-drop-me",
      "x-drop-me": "secret",
      "keep-alive": "timeout=5",
      "x-keep-me": "yes",
    },
  });
  assert.equal(status, 200);
  const seen = JSON.parse(text.slice(text.indexOf("{")));
  assert.equal(seen.headers["x-keep-me"], "yes");
  assert.equal(seen.headers["x-drop-me"], undefined);
  assert.equal(seen.headers["keep-alive"], undefined);
});

Deno.test("createReverseProxyService() forwards the incoming port and http by default", async () => {
  await using backend = startBackend();
  await using server = proxy(backend.port);
  const seen = await (await fetch(server.url + "/")).json();
  assert.equal(seen.path, "/");
  // The schema's default (Crossbar always sends 80, whatever the port).
  assert.equal(seen.headers["x-forwarded-port"], new URL(server.url).port);
  assert.equal(seen.headers["x-forwarded-proto"], "http");
});

Deno.test("createReverseProxyService() streams large bodies both ways", async () => {
  await using backend = startBackend();
  await using server = proxy(backend.port);
  const big = "x".repeat(1024 * 1024);
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode(big));
      c.close();
    },
  });
  const response = await fetch(server.url + "/upload", {
    method: "POST",
    body,
  });
  const seen = await response.json();
  assert.equal(seen.body, `${big.length} bytes`);
  const down = await fetch(server.url + "/big");
  assert.equal((await down.text()).length, 2 * 1024 * 1024);
});

Deno.test("createReverseProxyService() passes status, redirects and repeated headers through", async () => {
  await using backend = startBackend();
  await using server = proxy(backend.port);
  const teapot = await fetch(server.url + "/teapot");
  assert.equal(teapot.status, 418);
  await teapot.body?.cancel();
  const redirect = await fetch(server.url + "/redirect", {
    redirect: "manual",
  });
  assert.equal(redirect.status, 302);
  assert.equal(
    redirect.headers.get("location"),
    "http://elsewhere.test/target?a=1",
  );
  await redirect.body?.cancel();
  const cookies = await fetch(server.url + "/cookies");
  assert.deepEqual(cookies.headers.getSetCookie(), [
    "a=1; Path=/",
    "b=2; Path=/",
  ]);
  await cookies.body?.cancel();
  const empty = await fetch(server.url + "/empty");
  assert.equal(empty.status, 204);
  const head = await fetch(server.url + "/x", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
});

Deno.test("createReverseProxyService() answers 502 when the backend is unreachable", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await using server = proxy(port);
  const response = await fetch(server.url + "/x");
  assert.equal(response.status, 502);
  assert.equal(await response.text(), "502 Bad Gateway\n");
});

Deno.test("createReverseProxyService() answers 504 when the backend is too slow", async () => {
  await using backend = startBackend();
  await using server = proxy(backend.port, { timeout: 0.5 });
  const response = await fetch(server.url + "/slow");
  assert.equal(response.status, 504);
  assert.equal(await response.text(), "504 Gateway Timeout\n");
});

Deno.test("createReverseProxyService() cancels the backend response when the client goes away", async () => {
  await using backend = startBackend();
  await using server = proxy(backend.port);
  const response = await fetch(server.url + "/stream");
  const reader = response.body!.getReader();
  const first = await reader.read();
  assert.match(new TextDecoder().decode(first.value), /tick/);
  await reader.cancel();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error("backend never cancelled")),
      10_000,
    );
  });
  try {
    await Promise.race([backend.streamCancelled, timeout]);
  } finally {
    clearTimeout(timer);
  }
});

Deno.test("createReverseProxyService() aborts a pending backend request when the client gives up", async () => {
  await using backend = startBackend();
  await using server = proxy(backend.port);
  const client = new AbortController();
  const pending = fetch(server.url + "/slow", { signal: client.signal });
  await new Promise((resolve) => setTimeout(resolve, 200));
  client.abort();
  await assert.rejects(pending);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("backend not aborted")), 10_000);
  });
  try {
    await Promise.race([backend.slowAborted, timeout]);
  } finally {
    clearTimeout(timer);
  }
});

Deno.test("createReverseProxyService() refuses a path that climbs above the backend base path", async () => {
  await using backend = startBackend();
  const service = createReverseProxyService(
    validateServiceConfig({
      type: "reverseproxy",
      host: "127.0.0.1",
      port: backend.port,
      path: "/public",
    }),
    testEnv(),
  );
  for (const rest of ["/../admin", "/%2e%2e/admin", "/a/../../admin"]) {
    const response = await service.handle(
      new Request("http://127.0.0.1/"),
      directContext(rest),
    );
    assert.equal(response.status, 400, rest);
    await response.body?.cancel();
  }
  await service.close();
});

Deno.test("createReverseProxyService() rejects a bad port or timeout", () => {
  const env = testEnv();
  assert.throws(
    () =>
      createReverseProxyService(
        {
          type: "reverseproxy",
          host: "h",
          port: 70000,
          path: "",
          forwarded_proto: "http",
        },
        env,
      ),
    TypeError,
  );
  assert.throws(
    () =>
      createReverseProxyService(
        {
          type: "reverseproxy",
          host: "h",
          port: 80,
          path: "",
          forwarded_proto: "http",
          timeout: 0,
        },
        env,
      ),
    TypeError,
  );
});
