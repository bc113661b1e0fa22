/**
 * SIGTERM to a running `main.ts start` with work in flight: WAMP sessions
 * (autobahn-python, a real client in its default configuration) get GOODBYE
 * (`wamp.close.system_shutdown`), a WebSocket that is not a session gets
 * close 1001, and an upload in progress finishes within the grace period.
 */
import { resolve } from "node:path";
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { webNodeConfig } from "../_helpers/config.ts";
import { freePort, REPO_ROOT, spawnCli } from "../_helpers/node.ts";
import { openRaw } from "../web/_raw_conn.ts";

const CLIENT = `
import asyncio
import sys
from autobahn.asyncio.wamp import ApplicationSession, ApplicationRunner

class Session(ApplicationSession):
    async def onJoin(self, details):
        print("joined", flush=True)

    def onLeave(self, details):
        print("left", details.reason, flush=True)
        self.disconnect()

    def onDisconnect(self):
        asyncio.get_event_loop().stop()

ApplicationRunner(sys.argv[1], "realm1").run(Session)
`;

async function project(port: number): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(resolve(dir, ".crossbar"));
  await Deno.copyFile(
    resolve(REPO_ROOT, "tests/testdata/node/apps/upload.ts"),
    resolve(dir, "upload.ts"),
  );
  await Deno.writeTextFile(resolve(dir, "client.py"), CLIENT);
  await Deno.writeTextFile(
    resolve(dir, ".crossbar/config.json"),
    JSON.stringify(webNodeConfig({
      "/": { type: "wsgi", module: "upload", object: "upload" },
      ws: { type: "websocket" },
    }, { port, options: { pythonpath: [".."] } })),
  );
  return dir;
}

/** Complete lines of a child's stdout as they arrive. */
function lines(stream: ReadableStream<Uint8Array>) {
  let text = "";
  const waiters = new Set<() => void>();
  (async () => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (const wake of waiters) wake();
    }
  })();
  return (pattern: RegExp) =>
    new Promise<string>((resolveLine) => {
      const check = () => {
        // Complete lines only: a line can arrive in pieces.
        const line = text.split("\n").slice(0, -1).find((l) => pattern.test(l));
        if (line !== undefined) {
          waiters.delete(check);
          resolveLine(line);
        }
      };
      waiters.add(check);
      check();
    });
}

Deno.test("SIGTERM: GOODBYE to WAMP sessions, 1001 to WebSockets, uploads in flight finish", async () => {
  const port = freePort();
  const dir = await project(port);
  try {
    await using node = spawnCli([
      "start",
      "--cbdir",
      resolve(dir, ".crossbar"),
    ]);
    await node.waitForLine(/Node started/);
    const url = `ws://127.0.0.1:${port}/ws`;
    // A real WAMP session.
    const client = new Deno.Command("/usr/bin/python3", {
      args: [resolve(dir, "client.py"), url],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const clientLine = lines(client.stdout);
    await clientLine(/^joined/);
    // A WebSocket that never says HELLO.
    const socket = new WebSocket(url, ["wamp.2.json"]);
    const socketClosed = new Promise<number>((done) => {
      socket.onclose = (event) => done(event.code);
    });
    await new Promise((open) => socket.onopen = open);
    // An upload, half sent; the node is reading it.
    using upload = await openRaw(port);
    await upload.send(
      "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 200000\r\n" +
        "Expect: 100-continue\r\n\r\n",
    );
    await upload.until(/100 Continue\r\n\r\n/);
    await upload.send(new Uint8Array(100_000).fill(65));

    node.kill("SIGTERM");
    await node.waitForLine(/Shutting down/);
    await upload.send(new Uint8Array(100_000).fill(66));
    const answer = await upload.until(/received \d+ bytes\n|\r\n\r\n.+\n/s);
    assertStringIncludes(answer, "received 200000 bytes\n");

    assertEquals(await clientLine(/^left/), "left wamp.close.system_shutdown");
    assertEquals(await socketClosed, 1001);
    await client.status;
    assertEquals((await node.status).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
