/**
 * Slow clients against a real node over raw TCP: uploads that trickle or
 * stall must neither hold a wsgi path's worker slots nor outlive the body
 * deadline (`request_body_timeout` plus 1 s per `request_body_min_rate`
 * bytes).
 */
import { resolve } from "node:path";
import { assertEquals } from "../_helpers/assert.ts";
import { REPO_ROOT } from "../_helpers/node.ts";
import { hostNode } from "../../lib/node/mod.ts";
import { openRaw, type RawConn, statusOf } from "./_raw_conn.ts";
import { within } from "../_helpers/within.ts";

const APPS = resolve(REPO_ROOT, "tests/testdata/node/apps");
// The node directory is not the apps' folder (apps may not read the node's).
const CBDIR = await Deno.makeTempDir();

function config(options: Record<string, unknown> = {}) {
  return {
    version: 2,
    workers: [{
      type: "router",
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        options,
        paths: {
          "/": {
            type: "wsgi",
            module: resolve(APPS, "upload.ts"),
            object: "upload",
            workers: 1,
          },
        },
      }],
    }],
  };
}

const UPLOAD_HEAD = "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
  "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n";

Deno.test("160 stalled chunked uploads do not take a wsgi path offline", async () => {
  // One worker serving 64 requests at once: 160 uploads would fill it twice.
  await using node = await hostNode(config(), { cbdir: CBDIR });
  const port = Number(new URL(node.url).port);
  const slow: RawConn[] = [];
  try {
    // Each client starts its body (the node's "100 Continue" shows that
    // the node is reading it) and then sends nothing more.
    await within(
      Promise.all(Array.from({ length: 160 }, async () => {
        const conn = await openRaw(port);
        slow.push(conn);
        await conn.send(UPLOAD_HEAD);
        await conn.until(/100 Continue\r\n\r\n/);
        await conn.send("1\r\na\r\n");
      })),
      60_000,
      "160 uploads started",
    );
    // Other clients are still served while those uploads hang.
    const answers = await within(
      Promise.all(Array.from({ length: 4 }, async (_, i) => {
        const response = await fetch(`${node.url}/other`, {
          method: "POST",
          body: `request ${i}`,
        });
        return [response.status, await response.text()];
      })),
      60_000,
      "4 other requests while 160 uploads stall",
    );
    assertEquals(
      answers,
      Array.from({ length: 4 }, () => [200, "received 9 bytes\n"]),
    );
  } finally {
    for (const conn of slow) conn[Symbol.dispose]();
  }
});

Deno.test("an upload that stalls or trickles gets 408 after the body deadline", async () => {
  await using node = await hostNode(
    config({ request_body_timeout: 1, request_body_min_rate: 500 }),
    { cbdir: CBDIR },
  );
  const port = Number(new URL(node.url).port);
  // Stalls after one byte.
  using stalled = await openRaw(port);
  await stalled.send(UPLOAD_HEAD.replace("Expect: 100-continue\r\n", ""));
  await stalled.send("1\r\na\r\n");
  // Sends a byte every 50 ms: it never stops, yet runs out of time.
  using trickling = await openRaw(port);
  await trickling.send(UPLOAD_HEAD.replace("Expect: 100-continue\r\n", ""));
  const trickle = setInterval(() => {
    trickling.send("1\r\nb\r\n").catch(() => clearInterval(trickle));
  }, 50);
  try {
    const [a, b] = await within(
      Promise.all([
        stalled.until(/^HTTP\/1\.1 \d{3}/),
        trickling.until(/^HTTP\/1\.1 \d{3}/),
      ]),
      30_000,
      "slow uploads answered",
    );
    assertEquals(statusOf(a), 408, a);
    assertEquals(statusOf(b), 408, b);
  } finally {
    clearInterval(trickle);
  }
  // An upload at loopback speed, longer than what is read up front, is fine.
  const big = new Uint8Array(300_000).fill(65);
  const response = await fetch(`${node.url}/big`, {
    method: "POST",
    body: new Blob([big]).stream(),
  });
  assertEquals(await response.text(), "received 300000 bytes\n");
});

Deno.test("an upload that stalls after the first 64 KiB gets 408, not a 500", async () => {
  await using node = await hostNode(
    config({ request_body_timeout: 1 }),
    { cbdir: CBDIR },
  );
  const port = Number(new URL(node.url).port);
  using conn = await openRaw(port);
  await conn.send(
    "POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 200000\r\n\r\n",
  );
  // More than is read up front: the rest streams to the app, then stops.
  await conn.send(new Uint8Array(100_000).fill(66));
  const text = await within(
    conn.until(/^HTTP\/1\.1 \d{3}/),
    30_000,
    "stalled upload answered",
  );
  assertEquals(statusOf(text), 408, text);
});
