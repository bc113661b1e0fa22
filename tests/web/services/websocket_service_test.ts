import { createWebSocketService } from "../../../lib/web/services/websocket_service.ts";
import {
  type ServiceConfigInputOf,
  validateServiceConfig,
} from "../../../lib/config/mod.ts";
import { createRouter } from "../../../lib/wamp/router.ts";
import { SILENT_LOGGER } from "../../../lib/log/logger.ts";
import type { ServeContext } from "../../../lib/web/path_service.ts";
import {
  RawWampClient,
  REALM1,
  startWampServer,
  within,
} from "../../wamp/wire/_wire_helpers.ts";
import { codecForSubprotocol } from "../../../lib/wamp/codecs/mod.ts";
import {
  assert,
  assertEquals,
  assertStringIncludes,
  assertThrows,
} from "../../_helpers/assert.ts";

/** Calls handle() directly, as the path table would for `/ws`. */
async function handle(
  config: ServiceConfigInputOf<"websocket">,
  init: { path?: string; method?: string; headers?: Record<string, string> } =
    {},
): Promise<Response> {
  const router = createRouter({ realms: [REALM1], logger: SILENT_LOGGER });
  const service = createWebSocketService(validateServiceConfig(config), {
    router,
    logger: SILENT_LOGGER,
  });
  try {
    const path = init.path ?? "/ws";
    const url = new URL(path, "http://127.0.0.1:8080");
    const rest = url.pathname === "/ws" ? "/" : url.pathname.slice(3);
    const context: ServeContext = {
      prefix: "/ws",
      rest,
      search: url.search,
      remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 5555 },
      secure: false,
      signal: new AbortController().signal,
    };
    return await service.handle(
      new Request(url, {
        method: init.method ?? "GET",
        headers: init.headers ?? {},
      }),
      context,
    );
  } finally {
    await service.close();
    await router.close();
  }
}

const UPGRADE = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

/** Opens a real WebSocket and resolves with its negotiated subprotocol. */
async function openProtocol(
  url: string,
  protocols: string[],
  headers: Record<string, string> = {},
): Promise<string> {
  // Deno's WebSocket takes headers in an options bag.
  const ws = new WebSocket(url, { protocols, headers } as unknown as string[]);
  const closed = new Promise((resolve) => ws.onclose = resolve);
  try {
    await within(
      new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error("WebSocket refused"));
      }),
      "WebSocket open",
    );
    return ws.protocol;
  } finally {
    ws.close();
    await within(closed, "WebSocket close");
  }
}

/** Sends HELLO (realm1, caller) once `ws` opens; resolves with the reply. */
function replyToHello(ws: WebSocket): Promise<unknown[]> {
  return new Promise<unknown[]>((resolve, reject) => {
    ws.onopen = () =>
      ws.send(JSON.stringify([1, "realm1", { roles: { caller: {} } }]));
    ws.onmessage = (e) => resolve(JSON.parse(e.data));
    ws.onerror = () => reject(new Error("refused"));
  });
}

Deno.test("createWebSocketService() shows an escaped status page on a plain GET", async () => {
  const response = await handle({
    type: "websocket",
    url: "ws://example.com/<ws>",
  });
  assertEquals(response.status, 200);
  assertEquals(
    response.headers.get("content-type"),
    "text/html; charset=utf-8",
  );
  const body = await response.text();
  assertStringIncludes(body, "This is a WAMP-over-WebSocket endpoint");
  assertStringIncludes(body, "ws://example.com/&#60;ws&#62;");
  assert(!body.includes("<ws>"), "the url must be escaped");
});

Deno.test("createWebSocketService() redirects a plain GET with ?redirect= (303)", async () => {
  const response = await handle({ type: "websocket" }, {
    path: "/ws?redirect=https%3A%2F%2Fexample.com%2Fapp",
  });
  assertEquals(response.status, 303);
  assertEquals(response.headers.get("location"), "https://example.com/app");
  const later = await handle({ type: "websocket" }, {
    path: "/ws?redirect=/app&after=3",
  });
  assertEquals(later.status, 200);
  assertStringIncludes(await later.text(), 'content="3;url=/app"');
  const evil = await handle({ type: "websocket" }, {
    path: "/ws?redirect=javascript:alert(1)",
  });
  assertEquals(evil.status, 400);
  await evil.body?.cancel();
});

Deno.test("createWebSocketService() answers 426 when the status page is off", async () => {
  const response = await handle({
    type: "websocket",
    options: { enable_webstatus: false },
  });
  assertEquals(response.status, 426);
  await response.body?.cancel();
});

Deno.test("createWebSocketService() answers 405 to a plain POST and 404 below its path", async () => {
  const post = await handle({ type: "websocket" }, { method: "POST" });
  assertEquals(post.status, 405);
  assertEquals(post.headers.get("allow"), "GET, HEAD");
  await post.body?.cancel();
  const child = await handle({ type: "websocket" }, { path: "/ws/x" });
  assertEquals(child.status, 404);
  await child.body?.cancel();
});

Deno.test("createWebSocketService() refuses an upgrade offering no or only unknown subprotocols (400)", async () => {
  const none = await handle({ type: "websocket" }, { headers: UPGRADE });
  assertEquals(none.status, 400);
  assertStringIncludes(await none.text(), "subprotocol");
  const unknown = await handle({ type: "websocket" }, {
    headers: { ...UPGRADE, "sec-websocket-protocol": "wamp.2.ubjson, mqtt" },
  });
  assertEquals(unknown.status, 400);
  await unknown.body?.cancel();
  const restricted = await handle({
    type: "websocket",
    serializers: ["msgpack"],
  }, {
    headers: { ...UPGRADE, "sec-websocket-protocol": "wamp.2.json" },
  });
  assertEquals(restricted.status, 400);
  assertStringIncludes(await restricted.text(), "wamp.2.msgpack");
});

Deno.test("createWebSocketService() refuses a disallowed origin (403)", async () => {
  const config: ServiceConfigInputOf<"websocket"> = {
    type: "websocket",
    options: {
      allowed_origins: ["http://localhost:*", "https://*.example.com"],
      allow_null_origin: false,
    },
  };
  for (
    const origin of ["http://evil.test", "null", "http://localhost.evil.test"]
  ) {
    const response = await handle(config, {
      headers: { ...UPGRADE, "sec-websocket-protocol": "wamp.2.json", origin },
    });
    assertEquals(response.status, 403, origin);
    await response.body?.cancel();
  }
});

Deno.test("createWebSocketService() picks the client's first offered subprotocol the path allows", async () => {
  await using server = startWampServer({
    type: "websocket",
    serializers: ["cbor", "msgpack"],
  });
  assertEquals(
    await openProtocol(server.url, [
      "wamp.2.json",
      "wamp.2.msgpack",
      "wamp.2.cbor",
    ]),
    "wamp.2.msgpack",
  );
  assertEquals(
    await openProtocol(server.url, ["wamp.2.cbor.batched", "wamp.2.cbor"]),
    "wamp.2.cbor.batched",
  );
});

Deno.test("createWebSocketService() accepts allowed origins over the wire", async () => {
  await using server = startWampServer({
    type: "websocket",
    options: { allowed_origins: ["http://localhost:*"] },
  });
  assertEquals(
    await openProtocol(server.url, ["wamp.2.json"], {
      origin: "http://localhost:3000",
    }),
    "wamp.2.json",
  );
  const refused = openProtocol(server.url, ["wamp.2.json"], {
    origin: "http://evil.test",
  });
  const error = await refused.then(() => undefined, (e: unknown) => e);
  assert(error instanceof Error, "a foreign origin must be refused");
});

Deno.test("createWebSocketService() speaks json to a client offering no subprotocol when not required", async () => {
  await using server = startWampServer({
    type: "websocket",
    options: { require_websocket_subprotocol: false },
  });
  const ws = new WebSocket(server.url);
  const closed = new Promise((resolve) => ws.onclose = resolve);
  const welcome = await within(replyToHello(ws), "WELCOME");
  assertEquals(ws.protocol, "");
  assertEquals(welcome[0], 2);
  ws.close();
  await closed;
});

Deno.test("createWebSocketService() rejects an unknown serializer name at creation", () => {
  const router = createRouter({ realms: [REALM1], logger: SILENT_LOGGER });
  const error = assertThrows(
    () =>
      createWebSocketService(
        validateServiceConfig({
          type: "websocket",
          serializers: ["json", "xml"] as never, // a mistyped config
        }),
        { router, logger: SILENT_LOGGER },
      ),
    TypeError,
  );
  assertStringIncludes(error.message, '"xml"');
  return router.close();
});

Deno.test("createWebSocketService() closes its connections on close()", async () => {
  await using server = startWampServer();
  const ws = new WebSocket(server.url, "wamp.2.json");
  const closed = new Promise<CloseEvent>((resolve) => ws.onclose = resolve);
  await within(new Promise((resolve) => ws.onopen = resolve), "open");
  await server.close();
  const event = await within(closed, "close");
  assert(
    event.code === 1001 || event.code === 1000,
    `close code ${event.code}`,
  );
});

Deno.test("createWebSocketService() reads the peer address before the upgrade (lazy context)", async () => {
  const router = createRouter({ realms: [REALM1], logger: SILENT_LOGGER });
  const service = createWebSocketService(
    validateServiceConfig({ type: "websocket" }),
    { router, logger: SILENT_LOGGER },
  );
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) =>
      service.handle(request, {
        prefix: "",
        rest: "/",
        search: "",
        // Deno throws "Request closed" when this is read after the upgrade
        get remoteAddr() {
          return info.remoteAddr;
        },
        secure: false,
        signal: new AbortController().signal,
      }),
  );
  try {
    const ws = new WebSocket(
      `ws://127.0.0.1:${server.addr.port}/`,
      "wamp.2.json",
    );
    const closed = new Promise((resolve) => ws.onclose = resolve);
    const welcome = await within(replyToHello(ws), "WELCOME");
    assertEquals(welcome[0], 2);
    const authextra =
      (welcome[2] as { authextra?: { x_cb_peer?: string } }).authextra;
    assert(
      authextra?.x_cb_peer?.startsWith("tcp4:127.0.0.1:"),
      JSON.stringify(authextra),
    );
    ws.close();
    await closed;
  } finally {
    await router.close();
    await service.close();
    await server.shutdown();
  }
});

Deno.test("createWebSocketService() maps auto_ping options onto Deno's keep-alive", async () => {
  await using server = startWampServer({
    type: "websocket",
    options: { auto_ping_interval: 1000, auto_ping_timeout: 1000 },
  });
  // A raw TCP peer that upgrades, then never answers pings.
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(server.httpUrl).port),
  });
  try {
    await conn.write(new TextEncoder().encode(
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n",
    ));
    const seen: number[] = [];
    const buffer = new Uint8Array(4096);
    await within(
      (async () => {
        // after the 101 response: a ping frame (0x89), then the close (0x88)
        while (!seen.includes(0x88)) {
          const n = await conn.read(buffer);
          if (n === null) break;
          seen.push(...buffer.subarray(0, n));
        }
      })(),
      "keep-alive close",
    );
    assert(seen.includes(0x89), "expected a ping frame");
  } finally {
    conn.close();
  }
});

Deno.test("createWebSocketService() speaks wamp.2.json.batched and wamp.2.cbor.batched", async () => {
  await using server = startWampServer();
  for (const subprotocol of ["wamp.2.json.batched", "wamp.2.cbor.batched"]) {
    await using client = await RawWampClient.open(server.url, subprotocol);
    const codec = codecForSubprotocol(subprotocol)!;
    const hello = codec.encode([1, "realm1", {
      roles: { subscriber: {}, publisher: {} },
    }]);
    const subscribe = codec.encode([32, 1, {}, "com.example.batch"]);
    const publish = codec.encode([
      16,
      2,
      { exclude_me: false },
      "com.example.batch",
      ["hi"],
    ]);
    client.sendRaw(hello); // nothing may follow HELLO before WELCOME
    assertEquals((await client.next())[0], 2);
    client.sendRaw(
      typeof subscribe === "string"
        ? subscribe + publish
        : new Uint8Array([...subscribe, ...publish as Uint8Array]),
    );
    assertEquals((await client.next())[0], 33);
    const event = await client.next();
    assertEquals([event[0], event[4]], [36, ["hi"]]);
  }
});
