/**
 * `"shared": true`: two router workers listen on one port (SO_REUSEPORT)
 * and the kernel spreads connections over both; without it the second
 * worker's port is taken.
 */
import { assertEquals, assertRejects } from "../_helpers/assert.ts";
import { freePort } from "../_helpers/node.ts";
import { hostNode } from "../../lib/node/host.ts";
import { ConfigError } from "../../lib/config/mod.ts";
import { OPEN_REALM, portOf, pythonSelftest } from "../rawsocket/_helpers.ts";

function worker(webPort: number, rsPort: number, name: string, shared = true) {
  return {
    type: "router",
    realms: [OPEN_REALM],
    transports: [
      {
        type: "web",
        endpoint: {
          type: "tcp",
          port: webPort,
          interface: "127.0.0.1",
          shared,
        },
        paths: { "/": { type: "json", value: { worker: name } } },
      },
      {
        type: "rawsocket",
        endpoint: { type: "tcp", port: rsPort, interface: "127.0.0.1", shared },
      },
    ],
  };
}

/** One HTTP/1.0 request on a fresh connection; the JSON body. */
async function getOnce(port: number): Promise<{ worker: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode("GET / HTTP/1.0\r\nHost: x\r\n\r\n"),
  );
  const text = await new Response(conn.readable).text();
  return JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
}

Deno.test("shared ports: two router workers serve one web port and one rawsocket port", async () => {
  const webPort = freePort();
  const rsPort = freePort();
  await using node = await hostNode({
    version: 2,
    workers: [worker(webPort, rsPort, "a"), worker(webPort, rsPort, "b")],
  });
  assertEquals(
    node.transports.map((t) => t.url),
    [
      `http://127.0.0.1:${webPort}`,
      `rs://127.0.0.1:${rsPort}`,
      `http://127.0.0.1:${webPort}`,
      `rs://127.0.0.1:${rsPort}`,
    ],
  );
  // Fresh connections are spread by the kernel; both workers answer.
  const seen = new Set<string>();
  for (let i = 0; i < 200 && seen.size < 2; i++) {
    seen.add((await getOnce(webPort)).worker);
  }
  assertEquals([...seen].sort(), ["a", "b"]);
  const run = await pythonSelftest(`rs://127.0.0.1:${rsPort}`, "json");
  assertEquals(run.sum, 2 ** 53 - 1);
  assertEquals(portOf(node.transports[1]!.url), rsPort);
});

Deno.test('shared ports: without "shared" two workers on one port are a config error', async () => {
  const webPort = freePort();
  const rsPort = freePort();
  await assertRejects(
    () =>
      hostNode({
        version: 2,
        workers: [
          worker(webPort, rsPort, "a", false),
          worker(freePort(), rsPort, "b", false),
        ],
      }),
    ConfigError,
    `port ${rsPort} is already used by workers[0].transports[1]`,
  );
});
