import assert from "node:assert/strict";
import {
  createWebSocketReverseProxyService,
} from "../../../lib/web/services/websocket_reverseproxy.ts";
import { validateServiceConfig } from "../../../lib/config/mod.ts";
import { serveService } from "../../_helpers/serve_service.ts";
import { rawRequest } from "./_raw_http.ts";
import { testEnv } from "./_env.ts";

interface EchoBackend extends AsyncDisposable {
  port: number;
  /** Close events the backend saw from the proxy. */
  closes: Promise<{ code: number; reason: string }>;
}

/** Echoes messages; prefers "second.proto"; "close-me" closes 4001 "bye". */
function startEchoBackend(): EchoBackend {
  const closed = Promise.withResolvers<{ code: number; reason: string }>();
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    signal: controller.signal,
  }, (request) => {
    const offered = (request.headers.get("sec-websocket-protocol") ?? "")
      .split(",").map((p) => p.trim());
    const protocol = offered.includes("second.proto") ? "second.proto" : "";
    const { socket, response } = Deno.upgradeWebSocket(
      request,
      protocol ? { protocol } : {},
    );
    socket.onmessage = (event) => {
      if (event.data === "close-me") socket.close(4001, "bye");
      else socket.send(event.data);
    };
    socket.onclose = (event) =>
      closed.resolve({ code: event.code, reason: event.reason });
    return response;
  });
  return {
    port: (server.addr as Deno.NetAddr).port,
    closes: closed.promise,
    [Symbol.asyncDispose]: async () => {
      controller.abort();
      await server.finished;
    },
  };
}

function proxyTo(port: number, prefix = "") {
  const service = createWebSocketReverseProxyService(
    validateServiceConfig({
      type: "websocket-reverseproxy",
      backend: {
        type: "websocket",
        endpoint: { type: "tcp", host: "127.0.0.1", port, timeout: 5 },
        url: `ws://localhost:${port}/`,
      },
    }),
    testEnv(),
  );
  return serveService(service, { prefix });
}

function nextMessage(socket: WebSocket): Promise<unknown> {
  return new Promise((resolve, reject) => {
    socket.onmessage = (event) => resolve(event.data);
    socket.onclose = () => reject(new Error("closed before a message"));
  });
}

function closed(socket: WebSocket): Promise<CloseEvent> {
  return new Promise((resolve) => {
    socket.onclose = resolve;
  });
}

function opened(socket: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error("did not open"));
  });
}

Deno.test("createWebSocketReverseProxyService() relays text and binary frames with the backend's subprotocol", async () => {
  await using backend = startEchoBackend();
  await using server = proxyTo(backend.port, "/proxy");
  const url = server.url.replace("http", "ws") + "/proxy";
  const socket = new WebSocket(url, ["first.proto", "second.proto"]);
  socket.binaryType = "arraybuffer";
  await opened(socket);
  assert.equal(socket.protocol, "second.proto");
  let message = nextMessage(socket);
  socket.send("hello");
  assert.equal(await message, "hello");
  message = nextMessage(socket);
  socket.send(new Uint8Array([1, 2, 3, 255]));
  const data = await message;
  assert.ok(data instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(data)], [1, 2, 3, 255]);
  const done = closed(socket);
  socket.close();
  await done;
  await backend.closes;
});

Deno.test("createWebSocketReverseProxyService() keeps message order and relays large frames", async () => {
  await using backend = startEchoBackend();
  await using server = proxyTo(backend.port);
  const socket = new WebSocket(server.url.replace("http", "ws") + "/");
  socket.binaryType = "arraybuffer";
  await opened(socket);
  const received: unknown[] = [];
  const all = new Promise<void>((resolve) => {
    socket.onmessage = (event) => {
      received.push(event.data);
      if (received.length === 101) resolve();
    };
  });
  for (let i = 0; i < 100; i++) socket.send(`message ${i}`);
  const big = new Uint8Array(1024 * 1024).map((_, i) => i % 256);
  socket.send(big);
  await all;
  assert.deepEqual(
    received.slice(0, 100),
    Array.from({ length: 100 }, (_, i) => `message ${i}`),
  );
  assert.deepEqual(new Uint8Array(received[100] as ArrayBuffer), big);
  const done = closed(socket);
  socket.close();
  await done;
  await backend.closes;
});

Deno.test("createWebSocketReverseProxyService() passes the backend's close code and reason to the client", async () => {
  await using backend = startEchoBackend();
  await using server = proxyTo(backend.port);
  const socket = new WebSocket(server.url.replace("http", "ws") + "/");
  await opened(socket);
  assert.equal(socket.protocol, "");
  const done = closed(socket);
  socket.send("close-me");
  const event = await done;
  assert.equal(event.code, 4001);
  assert.equal(event.reason, "bye");
});

Deno.test("createWebSocketReverseProxyService() passes the client's close code and reason to the backend", async () => {
  await using backend = startEchoBackend();
  await using server = proxyTo(backend.port);
  const socket = new WebSocket(server.url.replace("http", "ws") + "/");
  await opened(socket);
  const done = closed(socket);
  socket.close(4002, "done here");
  await done;
  assert.deepEqual(await backend.closes, { code: 4002, reason: "done here" });
});

Deno.test("createWebSocketReverseProxyService() answers 502 before upgrading when the backend is down", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await using server = proxyTo(port);
  const { status, text } = await rawRequest(server.port, "/", {
    headers: {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
    },
  });
  assert.equal(status, 502);
  assert.match(text, /Bad Gateway/);
});

Deno.test("createWebSocketReverseProxyService() answers 426 to a plain GET", async () => {
  await using backend = startEchoBackend();
  await using server = proxyTo(backend.port);
  const response = await fetch(server.url + "/");
  assert.equal(response.status, 426);
  assert.equal(response.headers.get("upgrade"), "websocket");
  await response.body?.cancel();
});

Deno.test("createWebSocketReverseProxyService() rejects a backend without a tcp endpoint", () => {
  assert.throws(() =>
    createWebSocketReverseProxyService(
      // Built in code, past the schema, which would refuse it first.
      {
        type: "websocket-reverseproxy",
        backend: { type: "websocket", endpoint: { type: "unix" } },
      } as unknown as Parameters<typeof createWebSocketReverseProxyService>[0],
      testEnv(),
    ), TypeError);
});

Deno.test("createWebSocketReverseProxyService() closes relayed clients with 1001 when the node shuts down", async () => {
  await using backend = startEchoBackend();
  const server = proxyTo(backend.port);
  const socket = new WebSocket(server.url.replace("http", "ws") + "/");
  await opened(socket);
  const gone = closed(socket);
  await server.close();
  const event = await gone;
  assert.equal(event.code, 1001);
  assert.equal(event.reason, "server shutting down");
});
