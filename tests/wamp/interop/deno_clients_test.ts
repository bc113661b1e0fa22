/**
 * Clients that run inside Deno, each in its default configuration:
 * autobahn-js 26 (`new autobahn.Connection({url, realm})`), wampy 8 (no
 * serializer option), and a raw WebSocket handshake sending the
 * subprotocol header with and without spaces.
 */
import autobahn from "autobahn";
import { Wampy } from "wampy";
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { createRouter } from "../../../lib/wamp/router.ts";
import { createWebSocketService } from "../../../lib/web/services/websocket_service.ts";
import { createLogger } from "../../../lib/log/logger.ts";
import { validateServiceConfig } from "../../../lib/config/mod.ts";
import { serveService } from "../../_helpers/serve_service.ts";
import { type AbSession, within } from "../wire/_wire_helpers.ts";
import { INTEROP_AUTH, INTEROP_REALM, startInteropServer } from "./_interop.ts";

Deno.test("autobahn-js 26 in Deno joins, calls and publishes with its default serializers", async () => {
  await using server = startInteropServer();
  const opened = Promise.withResolvers<[unknown, unknown]>();
  const closed = Promise.withResolvers<void>();
  const connection = new autobahn.Connection({
    url: server.url,
    realm: "realm1",
    max_retries: 0,
    retry_if_unreachable: false,
  });
  connection.onopen = (session: unknown, details: unknown) =>
    opened.resolve([session, details]);
  connection.onclose = (reason: string) => {
    opened.reject(new Error(`closed: ${reason}`));
    closed.resolve();
    return true;
  };
  connection.open();
  const [session] = await within(opened.promise, "autobahn open") as [
    AbSession,
    unknown,
  ];
  assertEquals(connection.transport.info.protocol, "wamp.2.json");
  await session.register("com.interop.deno.add", ([a, b]: number[]) => a! + b!);
  assertEquals(
    await session.call("com.interop.deno.add", [2 ** 52, 2 ** 52 - 1]),
    2 ** 53 - 1,
  );
  const event = Promise.withResolvers<unknown[]>();
  await session.subscribe(
    "com.interop.deno.t",
    (args: unknown[]) => event.resolve(args),
  );
  await session.publish("com.interop.deno.t", ["x"], {}, {
    acknowledge: true,
    exclude_me: false,
  });
  assertEquals(await within(event.promise, "event"), ["x"]);
  connection.close();
  await within(closed.promise, "autobahn close");
});

function defaultWampy(url: string): Wampy {
  return new Wampy(url, {
    realm: "realm1",
    autoReconnect: false,
    ws: WebSocket,
  });
}

Deno.test("wampy with its defaults joins, registers, calls, subscribes and publishes", async () => {
  await using server = startInteropServer();
  const a = defaultWampy(server.url);
  const b = defaultWampy(server.url);
  await within(Promise.all([a.connect(), b.connect()]), "wampy connect");
  try {
    assert(Number.isSafeInteger(a.getSessionId()));
    await a.register("com.interop.wampy.echo", ({ argsList }) => ({
      argsList: argsList ?? [],
    }));
    const result = await b.call("com.interop.wampy.echo", [2 ** 53 - 1]);
    assertEquals(result.argsList, [2 ** 53 - 1]);
    const event = Promise.withResolvers<unknown>();
    await a.subscribe(
      "com.interop.wampy.t",
      ({ argsList }) => event.resolve(argsList),
    );
    await b.publish("com.interop.wampy.t", { argsList: ["y"] });
    assertEquals(await within(event.promise, "wampy event"), ["y"]);
  } finally {
    await within(
      Promise.all([a.disconnect(), b.disconnect()]),
      "wampy disconnect",
    );
  }
});

Deno.test("wampy's payload passthrough mode (ppt_scheme) goes through the router untouched", async () => {
  await using server = startInteropServer();
  const a = defaultWampy(server.url);
  const b = defaultWampy(server.url);
  await within(Promise.all([a.connect(), b.connect()]), "wampy connect");
  try {
    const ppt = { "ppt_scheme": "x_interop", "ppt_serializer": "native" };
    const event = Promise.withResolvers<unknown[]>();
    await a.subscribe(
      "com.interop.ppt",
      ({ details, argsList, argsDict }) =>
        event.resolve([details.ppt_scheme, argsList, argsDict]),
    );
    await b.publish("com.interop.ppt", {
      argsList: [1, 2 ** 53 - 1],
      argsDict: { k: "v" },
    }, ppt);
    assertEquals(await within(event.promise, "ppt event"), [
      "x_interop",
      [1, 2 ** 53 - 1],
      { k: "v" },
    ]);
    const invoked = Promise.withResolvers<unknown>();
    await a.register("com.interop.ppt.echo", ({ details, argsList }) => {
      invoked.resolve(details.ppt_scheme);
      return { argsList: argsList ?? [] };
    });
    const result = await b.call("com.interop.ppt.echo", {
      argsList: ["sealed"],
    }, ppt);
    assertEquals(await within(invoked.promise, "ppt invocation"), "x_interop");
    assertEquals(result.argsList, ["sealed"]);
  } finally {
    await within(
      Promise.all([a.disconnect(), b.disconnect()]),
      "wampy disconnect",
    );
  }
});

/** Sends a WebSocket upgrade with `protocols` verbatim; returns the answer head. */
async function handshake(port: number, protocols: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
        "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
        `Sec-WebSocket-Protocol: ${protocols}\r\n\r\n`,
    ));
    let head = "";
    const buffer = new Uint8Array(4096);
    while (!head.includes("\r\n\r\n")) {
      const n = await within(conn.read(buffer), "handshake answer");
      if (n === null) break;
      head += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return head;
  } finally {
    conn.close();
  }
}

function protocolOf(head: string): string | undefined {
  return /^sec-websocket-protocol: *(.*?)\r$/im.exec(head)?.[1];
}

Deno.test("a raw handshake gets the first offered subprotocol we support, with or without spaces", async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: "warn", write: (l) => lines.push(l) });
  const router = createRouter({ realms: [INTEROP_REALM], logger });
  const service = createWebSocketService(
    validateServiceConfig({ type: "websocket", auth: INTEROP_AUTH }),
    { router, logger },
  );
  await using served = serveService(service, { prefix: "/ws" });
  const cases: [string, string][] = [
    ["wamp.2.json,wamp.2.msgpack", "wamp.2.json"],
    ["wamp.2.msgpack,wamp.2.json", "wamp.2.msgpack"],
    ["wamp.2.cbor, wamp.2.json", "wamp.2.cbor"],
    [
      "mqtt,wamp.2.ubjson , wamp.2.msgpack.batched,wamp.2.json",
      "wamp.2.msgpack.batched",
    ],
    ["wamp.2.json.batched", "wamp.2.json.batched"],
  ];
  for (const [offer, chosen] of cases) {
    const head = await handshake(served.port, offer);
    assert(head.startsWith("HTTP/1.1 101"), `${offer}: ${head}`);
    assertEquals(protocolOf(head), chosen, offer);
  }
  const refused = await handshake(served.port, "mqtt,wamp.2.xml");
  assert(refused.startsWith("HTTP/1.1 400"), refused);
  assert(
    lines.some((l) =>
      l.includes("warn") && l.includes("Refused WebSocket upgrade") &&
      l.includes("none of the offered subprotocols") &&
      l.includes("mqtt,wamp.2.xml")
    ),
    lines.join("\n"),
  );
  await router.close();
});
