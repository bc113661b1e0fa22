import { resolve } from "node:path";
import { assertStringIncludes } from "../_helpers/assert.ts";
import { freePort, REPO_ROOT } from "../_helpers/node.ts";
import { recordLog } from "../_helpers/log_recorder.ts";
import { autobahnOpen } from "../app/_autobahn.ts";
import { hostNode } from "../../lib/node/mod.ts";

const CBDIR = resolve(REPO_ROOT, "tests/testdata/components/.crossbar");
const ALL = { call: true, register: true, publish: true, subscribe: true };

function config(port: number, options: Record<string, string>) {
  const transport = {
    type: "websocket",
    endpoint: { type: "tcp", host: "127.0.0.1", port },
    url: `ws://127.0.0.1:${port}/ws`,
  };
  return {
    version: 2,
    workers: [
      {
        type: "router",
        realms: [{
          name: "realm1",
          roles: [{
            name: "anonymous",
            permissions: [
              { uri: "com.example.", match: "prefix", allow: ALL },
              { uri: "wamp.", match: "prefix", allow: ALL },
            ],
          }],
        }],
        transports: [{
          type: "web",
          endpoint: { type: "tcp", port, interface: "127.0.0.1" },
          paths: { ws: { type: "websocket" } },
        }],
      },
      {
        type: "container",
        options: { pythonpath: ["../app"], ...options },
        components: [
          {
            type: "function",
            callbacks: { join: "crashing.crashing" },
            realm: "realm1",
            transport,
          },
          {
            type: "class",
            classname: "ticker.ticker",
            realm: "realm1",
            extra: { topic: "com.example.tick" },
            transport,
          },
        ],
      },
    ],
  };
}

async function registered(session: {
  subscribe: (t: string, h: (a: [number, { uri: string }]) => void) => unknown;
}, uri: string): Promise<void> {
  await new Promise<void>((resolve) => {
    session.subscribe("wamp.registration.on_create", (args) => {
      if (args[1]?.uri === uri) resolve();
    });
  });
}

Deno.test("a container with restart-on-failed starts a crashed component again", async () => {
  const port = freePort();
  const { logger, waitFor } = recordLog();
  await using _node = await hostNode(
    config(port, { restart: "restart-on-failed" }),
    { cbdir: CBDIR, logger },
  );
  await waitFor(/component "crashing\.crashing" .* joined realm/);
  await using client = await autobahnOpen(`ws://127.0.0.1:${port}/ws`);
  const back = registered(client.session, "com.example.crash");
  await client.session.call("com.example.crash");
  await back;
  await waitFor(/restarting in 1 s/);
});

Deno.test("a container with shutdown-on-any-component-failed stops all its components when one fails", async () => {
  const port = freePort();
  const { logger, waitFor } = recordLog();
  await using _node = await hostNode(
    config(port, { shutdown: "shutdown-on-any-component-failed" }),
    { cbdir: CBDIR, logger },
  );
  await waitFor(/component "ticker\.ticker" .* joined realm/);
  await waitFor(/component "crashing\.crashing" .* joined realm/);
  await using client = await autobahnOpen(`ws://127.0.0.1:${port}/ws`);
  await client.session.call("com.example.crash");
  const line = await waitFor(/container workers\[1\] stopped/);
  assertStringIncludes(
    line,
    "shutdown-on-any-component-failed: component 0 failed",
  );
  // The other component leaves too: no session but ours is left.
  const left = Promise.withResolvers<void>();
  const check = async () => {
    const count = await client.session.call("wamp.session.count");
    if (count === 1) left.resolve();
  };
  await client.session.subscribe("wamp.session.on_leave", check);
  await check();
  await left.promise;
});

Deno.test("container components connect to another router over RawSocket and WebSocket", async () => {
  const port = freePort();
  const rsPort = freePort();
  await using _router = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        roles: [{
          name: "anonymous",
          permissions: [{ uri: "com.example.", match: "prefix", allow: ALL }],
        }],
      }],
      transports: [
        {
          type: "web",
          endpoint: { type: "tcp", port, interface: "127.0.0.1" },
          paths: { ws: { type: "websocket" } },
        },
        {
          type: "rawsocket",
          endpoint: { type: "tcp", port: rsPort, interface: "127.0.0.1" },
        },
      ],
    }],
  }, { cbdir: CBDIR });
  await using client = await autobahnOpen(`ws://127.0.0.1:${port}/ws`);
  const events = {
    rs: Promise.withResolvers<void>(),
    ws: Promise.withResolvers<void>(),
  };
  await client.session.subscribe("com.example.rs", () => events.rs.resolve());
  await client.session.subscribe("com.example.ws", () => events.ws.resolve());
  const ticker = (topic: string, transport: Record<string, unknown>) => ({
    type: "class",
    classname: "ticker.ticker",
    realm: "realm1",
    extra: { topic },
    transport,
  });
  await using _container = await hostNode({
    version: 2,
    workers: [{
      type: "container",
      options: { pythonpath: ["../app"] },
      components: [
        ticker("com.example.rs", {
          type: "rawsocket",
          endpoint: { type: "tcp", host: "127.0.0.1", port: rsPort },
        }),
        ticker("com.example.ws", {
          type: "websocket",
          endpoint: { type: "tcp", host: "127.0.0.1", port },
          url: `ws://127.0.0.1:${port}/ws`,
        }),
      ],
    }],
  }, { cbdir: CBDIR });
  await events.rs.promise;
  await events.ws.promise;
});
