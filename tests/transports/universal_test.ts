/**
 * The universal transport: RawSocket, WebSocket and web paths on one port,
 * told apart by the first octets, with the real client address reaching
 * the router through the HTTP relay.
 */
import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import { hostNode } from "../../lib/node/host.ts";
import {
  autobahnConnect,
  OPEN_REALM,
  portOf,
  pythonSelftest,
  rawConnect,
  recordingLogger,
} from "../rawsocket/_helpers.ts";

function universal(extra: Record<string, unknown>) {
  return {
    version: 2,
    workers: [{
      type: "router",
      realms: [OPEN_REALM],
      transports: [{
        type: "universal",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        ...extra,
      }],
    }],
  };
}

Deno.test("universal: one port serves RawSocket (autobahn-python, autobahn-js), WebSocket and web paths", async () => {
  await using node = await hostNode(universal({
    rawsocket: {},
    websocket: { ws: { type: "websocket" } },
    web: {
      paths: {
        "/": { type: "json", value: { hello: "web" } },
        info: { type: "json", value: { page: "info" } },
      },
    },
  }));
  const url = node.transports[0]!.url;
  assertMatch(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const port = portOf(url);
  assertEquals(await (await fetch(url + "/")).json(), { hello: "web" });
  assertEquals(await (await fetch(url + "/info")).json(), { page: "info" });
  // A plain GET on the WebSocket path gets its status page.
  const status = await fetch(url + "/ws");
  assertEquals(status.status, 200);
  await status.body?.cancel();
  await using ws = await autobahnConnect({
    url: url.replace("http:", "ws:") + "/ws",
  });
  await using rs = await autobahnConnect({
    transports: [{ type: "rawsocket", host: "127.0.0.1", port }],
  });
  await rs.session.register("com.test.uni.echo", (a: unknown[]) => a);
  assertEquals(await ws.session.call("com.test.uni.echo", ["x"]), ["x"]);
  const got = Promise.withResolvers<unknown[]>();
  await ws.session.subscribe(
    "com.test.uni.topic",
    (a: unknown[]) => got.resolve(a),
  );
  await rs.session.publish("com.test.uni.topic", [1], {}, {
    acknowledge: true,
  });
  assertEquals(await got.promise, [1]);
  const run = await pythonSelftest(`rs://127.0.0.1:${port}`, "cbor");
  assertEquals(run.sum, 2 ** 53 - 1);
});

Deno.test("universal: the router sees the real client address behind the HTTP relay", async () => {
  await using node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [OPEN_REALM],
      transports: [{
        type: "universal",
        endpoint: { type: "tcp", port: 0, interface: "::1", version: 6 },
        websocket: { ws: { type: "websocket" } },
      }],
    }],
  });
  // The relay's own connections are IPv4 loopback; the client is IPv6.
  await using ws = await autobahnConnect({
    url: node.transports[0]!.url.replace("http:", "ws:") + "/ws",
  });
  const authextra = ws.details.authextra as Record<string, string>;
  assertMatch(authextra.x_cb_peer!, /^tcp6:::1:\d+$/);
});

Deno.test("universal: without rawsocket or web settings those connections are closed and logged", async () => {
  const log = recordingLogger();
  await using node = await hostNode(
    universal({
      websocket: { ws: { type: "websocket" } },
    }),
    { logger: log.logger },
  );
  const port = portOf(node.transports[0]!.url);
  {
    using client = await rawConnect(port);
    await client.write([0x7f, 0xf1, 0, 0]);
    assertEquals(await client.read(1), null);
    await log.waitFor(/has no "rawsocket" settings/);
  }
  {
    using client = await rawConnect(port);
    await client.write([0x10, 0x0c, 0, 4]);
    assertEquals(await client.read(1), null);
    await log.waitFor(/MQTT is not supported/);
  }
  // Unknown paths on a universal transport without "web": 404.
  const response = await fetch(node.transports[0]!.url + "/nothing");
  assertEquals(response.status, 404);
  await response.body?.cancel();
});
