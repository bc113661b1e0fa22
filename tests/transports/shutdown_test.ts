/**
 * Shutdown with clients that never start a session: a RawSocket client that
 * sends no handshake, or a universal client that sends nothing, is closed
 * when the node stops instead of holding it for the grace period.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { hostNode } from "../../lib/node/host.ts";
import { LOOPBACK, portOf, rawConnect } from "../rawsocket/_helpers.ts";

Deno.test("shutdown: silent RawSocket and universal clients do not hold the node open", async () => {
  const node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      transports: [
        { type: "rawsocket", endpoint: LOOPBACK },
        { type: "universal", endpoint: LOOPBACK, rawsocket: {} },
      ],
    }],
  }, { gracePeriod: 120_000 });
  const clients = await Promise.all(
    node.transports.map((t) => rawConnect(portOf(t.url))),
  );
  // One handshake byte only: still in the handshake.
  await clients[0]!.write([0x7f]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    node.close().then(() => "closed"),
    new Promise((resolve) => {
      // Far below the 120 s grace period: a node that waits for it fails.
      timer = setTimeout(() => resolve("still waiting after 30 s"), 30_000);
    }),
  ]);
  clearTimeout(timer);
  assertEquals(outcome, "closed");
  for (const client of clients) {
    await client.closed();
    client[Symbol.dispose]();
  }
});
