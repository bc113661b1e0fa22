/**
 * Over-deep JSON at the HTTP bridge of a real node: refused with 400, never
 * a hang (caller) or a 200 for an event that is then dropped (publisher).
 */
import autobahn from "autobahn";
import { hostNode } from "../../lib/node/mod.ts";
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { webNodeConfig } from "../_helpers/config.ts";
import { post } from "./_helpers.ts";

function config() {
  return webNodeConfig({
    ws: { type: "websocket" },
    push: { type: "publisher", realm: "realm1", role: "anonymous" },
    call: { type: "caller", realm: "realm1", role: "anonymous" },
  });
}

function nested(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

interface Session {
  register(uri: string, fn: (args: unknown[]) => unknown): Promise<unknown>;
  subscribe(uri: string, fn: (args: unknown[]) => void): Promise<unknown>;
}

Deno.test("the bridge refuses JSON nested 100,000 deep with 400 and still serves", async () => {
  await using node = await hostNode(config());
  const connection = new autobahn.Connection({
    url: node.url.replace("http", "ws") + "/ws",
    realm: "realm1",
    max_retries: 0,
  });
  const session = await new Promise<Session>((resolve, reject) => {
    connection.onopen = resolve;
    connection.onclose = (reason: string) => {
      reject(new Error(reason));
      return true;
    };
    connection.open();
  });
  const events: unknown[][] = [];
  let eventArrived: () => void = () => {};
  const arrived = new Promise<void>((resolve) => eventArrived = resolve);
  await session.register("com.example.echo", (args) => args[0]);
  await session.subscribe("com.example.topic", (args) => {
    events.push(args);
    eventArrived();
  });
  try {
    for (
      const [path, key, uri] of [
        ["call", "procedure", "com.example.echo"],
        ["push", "topic", "com.example.topic"],
      ]
    ) {
      for (const field of ["args", "kwargs"]) {
        const value = field === "args"
          ? nested(100_000)
          : `{"a":${nested(100_000)}}`;
        const body = `{"${key}":"${uri}","${field}":${value}}`;
        const answer = await post(`${node.url}/${path}`, body);
        assertEquals(answer.status, 400, `${path} ${field}: ${answer.text}`);
        assertStringIncludes(answer.text, "nests deeper than");
      }
    }
    // Nesting a WAMP peer accepts still goes through, both ways.
    const fine = JSON.parse(nested(20));
    const called = await post(`${node.url}/call`, {
      procedure: "com.example.echo",
      args: [fine],
    });
    assertEquals([called.status, called.json], [200, { args: [fine] }]);
    const pushed = await post(`${node.url}/push`, {
      topic: "com.example.topic",
      args: [fine],
    });
    assertEquals(pushed.status, 200);
    await arrived;
    assertEquals(events, [[fine]]);
  } finally {
    await new Promise<void>((resolve) => {
      connection.onclose = () => {
        resolve();
        return true;
      };
      connection.close();
    });
  }
});
