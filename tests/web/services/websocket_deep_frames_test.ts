/**
 * WAMP frames nested 100,000 deep, in every serializer, against a real
 * node: the session is aborted with a protocol violation (no stack
 * overflow, nothing dropped silently), and the node keeps serving.
 */
import { assertEquals } from "../../_helpers/assert.ts";
import { webNodeConfig } from "../../_helpers/config.ts";
import { hostNode } from "../../../lib/node/mod.ts";
import { RawWampClient } from "../../wamp/wire/_wire_helpers.ts";

const DEPTH = 100_000;

const config = webNodeConfig({ ws: { type: "websocket" } });

/** PUBLISH [16, 1, {}, "a.b", [[[…]]]] with the list nested DEPTH deep. */
function deepPublish(subprotocol: string): string | Uint8Array {
  if (subprotocol === "wamp.2.json") {
    return `[16,1,{},"a.b",${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}]`;
  }
  // Both: array(5), 16, 1, empty map, "a.b", then DEPTH one-item arrays.
  const msgpack = subprotocol === "wamp.2.msgpack";
  const head = msgpack
    ? [0x95, 0x10, 0x01, 0x80, 0xa3, 0x61, 0x2e, 0x62]
    : [0x85, 0x10, 0x01, 0xa0, 0x63, 0x61, 0x2e, 0x62];
  const bytes = new Uint8Array(head.length + DEPTH + 1);
  bytes.set(head);
  bytes.fill(msgpack ? 0x91 : 0x81, head.length, head.length + DEPTH);
  bytes[head.length + DEPTH] = msgpack ? 0x90 : 0x80;
  return bytes;
}

for (const subprotocol of ["wamp.2.json", "wamp.2.msgpack", "wamp.2.cbor"]) {
  Deno.test(`a ${subprotocol} frame nested ${DEPTH} deep aborts only its session`, async () => {
    await using node = await hostNode(config);
    const url = node.url.replace("http", "ws") + "/ws";
    const { client } = await RawWampClient.joined(url, subprotocol);
    client.sendRaw(deepPublish(subprotocol));
    const abort = await client.next();
    assertEquals(abort[0], 3, `expected ABORT, got ${abort[0]}`);
    assertEquals(abort[2], "wamp.error.protocol_violation");
    await client.closed;
    // The node still serves a new session in the same serializer.
    const again = await RawWampClient.joined(url, subprotocol);
    again.client.send([16, 2, { acknowledge: true }, "a.b", [1]]);
    const published = await again.client.next();
    assertEquals(published[0], 17);
    again.client.close();
  });
}
