/**
 * RawSocket over TLS (a `tls` endpoint as on web transports, also on a
 * universal port) and the client's announced receive limit on outgoing
 * messages.
 */
import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import { makeCertificates } from "../_helpers/tls.ts";
import { hostNode } from "../../lib/node/host.ts";
import {
  LOOPBACK,
  OPEN_REALM,
  portOf,
  rawConnect,
  recordingLogger,
} from "./_helpers.ts";

const utf8 = new TextEncoder();
const HELLO = [1, "realm1", { roles: { publisher: {}, subscriber: {} } }];

function frame(message: unknown): Uint8Array {
  const payload = utf8.encode(JSON.stringify(message));
  const out = new Uint8Array(4 + payload.length);
  out.set([
    0,
    payload.length >> 16,
    (payload.length >> 8) & 255,
    payload.length & 255,
  ]);
  out.set(payload, 4);
  return out;
}

/** Reads one frame off `read` and parses its JSON payload. */
async function readMessage(
  read: (n: number) => Promise<Uint8Array | null>,
): Promise<unknown[]> {
  const header = (await read(4))!;
  const length = (header[1]! << 16) | (header[2]! << 8) | header[3]!;
  return JSON.parse(new TextDecoder().decode((await read(length))!));
}

async function tlsClient(port: number, caCert: string) {
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port,
    caCerts: [caCert],
  });
  let pending = new Uint8Array(0);
  const read = async (n: number) => {
    while (pending.length < n) {
      const buffer = new Uint8Array(4096);
      const got = await conn.read(buffer);
      if (got === null) return null;
      const joined = new Uint8Array(pending.length + got);
      joined.set(pending);
      joined.set(buffer.subarray(0, got), pending.length);
      pending = joined;
    }
    const out = pending.slice(0, n);
    pending = pending.subarray(n);
    return out;
  };
  return { conn, read };
}

Deno.test("rawsocket: TLS endpoints (rawsocket and universal) speak RawSocket and HTTPS", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const certs = await makeCertificates(dir);
    const tls = { key: certs.keyFile, certificate: certs.certFile };
    await using node = await hostNode({
      version: 2,
      workers: [{
        type: "router",
        realms: [OPEN_REALM],
        transports: [
          { type: "rawsocket", endpoint: { ...LOOPBACK, tls } },
          {
            type: "universal",
            endpoint: { ...LOOPBACK, tls },
            rawsocket: {},
            web: { paths: { "/": { type: "json", value: { secure: true } } } },
          },
        ],
      }],
    }, { cbdir: dir });
    assertMatch(node.transports[0]!.url, /^rss:\/\/127\.0\.0\.1:\d+$/);
    assertMatch(node.transports[1]!.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    for (const url of node.transports.map((t) => t.url)) {
      const { conn, read } = await tlsClient(portOf(url), certs.caCert);
      try {
        await conn.write(new Uint8Array([0x7f, 0xf1, 0, 0]));
        assertEquals([...(await read(4))!], [0x7f, 0xf1, 0, 0]);
        await conn.write(frame(HELLO));
        const welcome = await readMessage(read);
        assertEquals(welcome[0], 2);
      } finally {
        conn.close();
      }
    }
    const client = Deno.createHttpClient({ caCerts: [certs.caCert] });
    try {
      const response = await fetch(node.transports[1]!.url + "/", { client });
      assertEquals(await response.json(), { secure: true });
    } finally {
      client.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rawsocket: a message over the client's announced limit is dropped and logged, the session goes on", async () => {
  const log = recordingLogger();
  await using node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [OPEN_REALM],
      transports: [{ type: "rawsocket", endpoint: LOOPBACK }],
    }],
  }, { logger: log.logger });
  using client = await rawConnect(portOf(node.transports[0]!.url));
  // L = 2: the client accepts at most 2048 octets (WELCOME fits).
  await client.write([0x7f, 0x21, 0, 0]);
  assertEquals([...(await client.read(4))!], [0x7f, 0xf1, 0, 0]);
  await client.write(frame(HELLO));
  assertEquals((await readMessage(client.read))[0], 2);
  await client.write(frame([32, 1, {}, "com.test.big"]));
  assertEquals((await readMessage(client.read))[0], 33);
  const options = { acknowledge: true, "exclude_me": false };
  await client.write(
    frame([16, 2, options, "com.test.big", ["x".repeat(3000)]]),
  );
  // The EVENT (over 2048 octets) is not sent; the PUBLISHED is.
  assertEquals((await readMessage(client.read)).slice(0, 2), [17, 2]);
  await log.waitFor(/exceed the client's limit of 2048/);
  await client.write(frame([16, 3, options, "com.test.big", ["small"]]));
  const next = await readMessage(client.read);
  const after = await readMessage(client.read);
  assertEquals(
    [next[0], after[0]].sort(),
    [17, 36],
  );
});
