import { resolve } from "node:path";
import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { freePort, REPO_ROOT, spawnCli } from "../_helpers/node.ts";
import { autobahnOpen } from "../app/_autobahn.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { hostNode } from "../../lib/node/mod.ts";

const DATA = resolve(REPO_ROOT, "tests/testdata/components");
const ALL = { call: true, register: true, publish: true, subscribe: true };

function config(port: number, rsPort: number) {
  return {
    version: 2,
    workers: [
      {
        type: "router",
        options: { pythonpath: ["../app"] },
        realms: [{
          name: "realm1",
          roles: [
            {
              name: "anonymous",
              permissions: [
                { uri: "com.example.", match: "prefix", allow: ALL },
                { uri: "wamp.", match: "prefix", allow: ALL },
              ],
            },
            {
              name: "backend",
              permissions: [{
                uri: "com.example.",
                match: "prefix",
                allow: ALL,
              }],
            },
          ],
        }],
        components: [
          {
            type: "class",
            classname: "backend.Backend",
            realm: "realm1",
            role: "backend",
            extra: { greeting: "hello" },
          },
          {
            type: "function",
            callbacks: { join: "crashing.crashing" },
            realm: "realm1",
            restart: { policy: "on-failure", delay: 0.05, max_delay: 1 },
          },
          { type: "class", classname: "snoop.snoop", realm: "realm1" },
        ],
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
      },
      {
        type: "container",
        options: { pythonpath: ["../app"] },
        components: [{
          type: "class",
          classname: "ticker.ticker",
          realm: "realm1",
          extra: { topic: "com.example.tick" },
          transport: {
            type: "websocket",
            endpoint: { type: "tcp", host: "127.0.0.1", port },
            url: `ws://127.0.0.1:${port}/ws`,
          },
        }],
      },
    ],
  };
}

async function startTestNode(lines: string[] = []) {
  const port = freePort();
  const rsPort = freePort();
  const logger = createLogger({ level: "info", write: (l) => lines.push(l) });
  const node = await hostNode(config(port, rsPort), {
    cbdir: resolve(DATA, ".crossbar"),
    logger,
  });
  return {
    node,
    ws: `ws://127.0.0.1:${port}/ws`,
    rs: `rs://127.0.0.1:${rsPort}`,
  };
}

Deno.test("a TypeScript router component's procedure answers autobahn-js (WebSocket) and autobahn-python (WebSocket, RawSocket)", async (t) => {
  const { node, ws, rs } = await startTestNode();
  await using _ = node;
  await t.step("autobahn-js over WebSocket", async () => {
    await using client = await autobahnOpen(ws);
    assertEquals(await client.session.call("com.example.add2", [20, 22]), 42);
    // The component got its extra and joined as its role.
    assertEquals(await client.session.call("com.example.whoami"), [
      "hello",
      "backend",
      "realm1",
    ]);
  });
  for (const [name, url] of [["WebSocket", ws], ["RawSocket", rs]]) {
    await t.step(`autobahn-python over ${name}`, async () => {
      const output = await new Deno.Command("/usr/bin/python3", {
        args: [resolve(DATA, "call_add2.py"), url!, "realm1"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertStringIncludes(
        new TextDecoder().decode(output.stdout),
        "result 5",
        new TextDecoder().decode(output.stderr),
      );
    });
  }
});

Deno.test("a container component publishes to a subscriber", async () => {
  const { node, ws } = await startTestNode();
  await using _ = node;
  await using client = await autobahnOpen(ws);
  const event = Promise.withResolvers<unknown[]>();
  await client.session.subscribe("com.example.tick", (args: unknown[]) => {
    event.resolve(args);
  });
  const args = await event.promise;
  assertEquals(typeof args[0], "number");
});

Deno.test("a component reads only its own folder by default", async () => {
  const { node, ws } = await startTestNode();
  await using _ = node;
  await using client = await autobahnOpen(ws);
  assertEquals(await client.session.call("com.example.snoop"), "NotCapable");
});

Deno.test("a crashing component is logged with its stack, leaves, and restarts with backoff", async () => {
  const lines: string[] = [];
  const { node, ws } = await startTestNode(lines);
  await using _ = node;
  await using client = await autobahnOpen(ws);
  const session = client.session;
  for (let crash = 1; crash <= 2; crash++) {
    const gone = Promise.withResolvers<void>();
    const back = Promise.withResolvers<void>();
    const onDelete = await session.subscribe(
      "wamp.registration.on_delete",
      () => gone.resolve(),
    );
    const onCreate = await session.subscribe(
      "wamp.registration.on_create",
      (args: [number, { uri: string }]) => {
        if (args[1]?.uri === "com.example.crash") back.resolve();
      },
    );
    assertEquals(await session.call("com.example.crash"), "crashing");
    await gone.promise;
    await back.promise;
    await session.unsubscribe(onDelete);
    await session.unsubscribe(onCreate);
  }
  const log = lines.join("\n");
  assertStringIncludes(log, "boom from the component");
  assertStringIncludes(log, "crashing.ts");
  assertStringIncludes(log, "restarting in 0.05 s");
  assertStringIncludes(log, "restarting in 0.1 s");
});

Deno.test("start fails with exit 1 and a clear message when a router component's onJoin throws", async () => {
  await using cli = spawnCli([
    "start",
    "--cbdir",
    resolve(DATA, "failing/.crossbar"),
  ]);
  const status = await cli.status;
  assertEquals(status.code, 1);
  const stderr = cli.stderr();
  assertStringIncludes(stderr, 'component "failing.Failing"');
  assertStringIncludes(stderr, "database not reachable");
  assert(!/listening on/.test(stderr), stderr);
});
