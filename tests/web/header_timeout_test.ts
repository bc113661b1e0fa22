/**
 * The header timeout (`request_header_timeout`) against a real node over raw
 * TCP, on both front ends: slowloris connections (half a request head, or
 * nothing at all) are closed once it has passed, while complete requests,
 * slow but steady heads, long responses and WebSockets are served.
 */
import { resolve } from "node:path";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { openRealm } from "../_helpers/config.ts";
import { REPO_ROOT } from "../_helpers/node.ts";
import { makeCertificates } from "../_helpers/tls.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { hostNode } from "../../lib/node/mod.ts";
import { openRaw, type RawConn, statusOf } from "./_raw_conn.ts";
import { within } from "../_helpers/within.ts";

const APPS = resolve(REPO_ROOT, "tests/testdata/node/apps");
// The node directory is not the apps' folder (apps may not read the node's).
const CBDIR = await Deno.makeTempDir();
const QUIET = createLogger({ level: "error", write: () => {} });

const FRONT_ENDS = [
  { name: "Deno.serve front end", options: {} },
  // client_timeout puts the transport on the node:http front end.
  { name: "node:http front end", options: { client_timeout: 60 } },
];

function config(
  options: Record<string, unknown>,
  endpoint: Record<string, unknown> = { interface: "127.0.0.1" },
) {
  return {
    version: 2,
    workers: [{
      type: "router",
      realms: [openRealm()],
      transports: [{
        type: "web",
        // Room for 400 connections at once (the default is Crossbar's 50).
        endpoint: { type: "tcp", port: 0, backlog: 1024, ...endpoint },
        options,
        paths: {
          "/": { type: "json", value: { hello: "world" } },
          ws: { type: "websocket" },
          stream: {
            type: "wsgi",
            module: resolve(APPS, "trickle.ts"),
            object: "trickle",
            workers: 1,
          },
        },
      }],
    }],
  };
}

const HALF_HEAD = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow";
const FULL_HEAD = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/** A WAMP session over WebSocket: HELLO answered by WELCOME. */
async function joinRealm(base: string) {
  const ws = new WebSocket(`${base.replace("http", "ws")}/ws`, "wamp.2.json");
  const messages: unknown[][] = [];
  let wake: (() => void) | undefined;
  ws.onmessage = (event) => {
    messages.push(JSON.parse(event.data));
    wake?.();
  };
  const closed = new Promise((resolve) => ws.onclose = resolve);
  const next = async () => {
    while (messages.length === 0) {
      await new Promise<void>((resolve, reject) => {
        wake = resolve;
        closed.then(() => reject(new Error("the WebSocket closed")));
      });
    }
    return messages.shift()!;
  };
  await new Promise((resolve) => ws.onopen = resolve);
  ws.send(JSON.stringify([1, "realm1", { roles: { subscriber: {} } }]));
  assertEquals((await next())[0], 2, "WELCOME");
  return {
    async subscribe(topic: string) {
      ws.send(JSON.stringify([32, 1, {}, topic]));
      return await next();
    },
    async close() {
      ws.close();
      await closed;
    },
  };
}

for (const front of FRONT_ENDS) {
  Deno.test(`400 connections that send half a request head are closed after request_header_timeout, others are served (${front.name})`, async () => {
    await using node = await hostNode(
      config({ ...front.options, request_header_timeout: 2 }),
      { cbdir: CBDIR, logger: QUIET },
    );
    const port = Number(new URL(node.url).port);
    const session = await joinRealm(node.url);
    const opened = performance.now();
    const slow: RawConn[] = [];
    try {
      await Promise.all(Array.from({ length: 400 }, async (_, i) => {
        const conn = await openRaw(port);
        slow.push(conn);
        // Every tenth sends nothing at all.
        if (i % 10 !== 0) await conn.send(HALF_HEAD);
      }));
      // A complete request on another connection is answered meanwhile.
      const response = await fetch(`${node.url}/`);
      assertEquals(await response.json(), { hello: "world" });
      // So is a head sent slowly but steadily, within the timeout.
      using steady = await openRaw(port);
      for (const line of FULL_HEAD.split(/(?<=\r\n)/)) {
        await steady.send(line);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const answer = await within(
        steady.until(/\r\n\r\n/),
        30_000,
        "steady head answered",
      );
      assertEquals(statusOf(answer), 200, answer);
      // The slow ones are closed, not answered, and not before the timeout.
      const texts = await within(
        Promise.all(slow.map((conn) => conn.rest())),
        60_000,
        "slowloris connections closed",
      );
      assert(performance.now() - opened >= 1950, "closed before the timeout");
      for (const text of texts) {
        assert(text === "" || statusOf(text) === 408, text);
      }
      // The WebSocket, idle all along, still works.
      const subscribed = await session.subscribe("com.example.topic");
      assertEquals(subscribed[0], 33, "SUBSCRIBED");
    } finally {
      for (const conn of slow) conn[Symbol.dispose]();
      await session.close();
    }
  });

  Deno.test(`a connection that sends half of its second request head is closed after request_header_timeout (${front.name})`, async () => {
    await using node = await hostNode(
      config({ ...front.options, request_header_timeout: 1 }),
      { cbdir: CBDIR, logger: QUIET },
    );
    using conn = await openRaw(Number(new URL(node.url).port));
    await conn.send(FULL_HEAD);
    const first = await conn.until(/\}$/);
    assertEquals(statusOf(first), 200, first);
    await conn.send(HALF_HEAD);
    const rest = await within(conn.rest(), 30_000, "connection closed");
    const second = rest.slice(first.length);
    assert(second === "" || statusOf(second) === 408, second);
  });

  Deno.test(`a response that streams for longer than request_header_timeout is not cut (${front.name})`, async () => {
    await using node = await hostNode(
      config({ ...front.options, request_header_timeout: 1 }),
      { cbdir: CBDIR, logger: QUIET },
    );
    const response = await fetch(`${node.url}/stream?ms=2500`);
    const text = await response.text();
    assert(text.endsWith("end\n"), text);
    assert(text.split("\n").length > 10, text);
  });
}

Deno.test("an idle keep-alive connection is closed after request_header_timeout (Deno.serve front end)", async () => {
  await using node = await hostNode(
    config({ request_header_timeout: 1 }),
    { cbdir: CBDIR, logger: QUIET },
  );
  using conn = await openRaw(Number(new URL(node.url).port));
  await conn.send(FULL_HEAD);
  const first = await conn.until(/\}$/);
  assertEquals(statusOf(first), 200, first);
  const rest = await within(conn.rest(), 30_000, "idle connection closed");
  assertEquals(rest, first);
});

Deno.test("on a dual-stack IPv6 listener, IPv4 and IPv6 slowloris clients are closed and WebSockets and long responses are not (Deno.serve front end)", async () => {
  await using node = await hostNode(
    config({ request_header_timeout: 1 }, { version: 6, interface: "::" }),
    { cbdir: CBDIR, logger: QUIET },
  );
  const port = Number(new URL(node.url).port);
  const bases = [`http://127.0.0.1:${port}`, `http://[::1]:${port}`];
  const sessions = await Promise.all(bases.map(joinRealm));
  const slow: RawConn[] = [];
  try {
    for (const hostname of ["127.0.0.1", "::1"]) {
      for (let i = 0; i < 10; i++) {
        const conn = await openRaw(port, hostname);
        slow.push(conn);
        await conn.send(HALF_HEAD);
      }
    }
    const [texts, streams] = await within(
      Promise.all([
        Promise.all(slow.map((conn) => conn.rest())),
        Promise.all(bases.map(async (base) => {
          const response = await fetch(`${base}/stream?ms=2500`);
          return await response.text();
        })),
      ]),
      60_000,
      "slowloris closed and streams ended",
    );
    assertEquals(texts, slow.map(() => ""));
    for (const text of streams) assert(text.endsWith("end\n"), text);
    for (const session of sessions) {
      assertEquals((await session.subscribe("com.example.topic"))[0], 33);
    }
  } finally {
    for (const conn of slow) conn[Symbol.dispose]();
    for (const session of sessions) await session.close();
  }
});

Deno.test("a universal transport closes connections that send nothing or half a request head after its web side's request_header_timeout", async () => {
  await using node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [openRealm()],
      transports: [{
        type: "universal",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        websocket: { ws: { type: "websocket" } },
        web: {
          paths: { "/": { type: "json", value: { hello: "world" } } },
          options: { request_header_timeout: 1 },
        },
      }],
    }],
  }, { cbdir: CBDIR, logger: QUIET });
  const base = node.transports[0]!.url;
  const port = Number(new URL(base).port);
  const session = await joinRealm(base);
  const slow: RawConn[] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const conn = await openRaw(port);
      slow.push(conn);
      if (i % 2 === 1) await conn.send(HALF_HEAD);
    }
    const response = await fetch(`${base}/`);
    assertEquals(await response.json(), { hello: "world" });
    const texts = await within(
      Promise.all(slow.map((conn) => conn.rest())),
      60_000,
      "slow connections closed",
    );
    assertEquals(texts, slow.map(() => ""));
    assertEquals((await session.subscribe("com.example.topic"))[0], 33);
  } finally {
    for (const conn of slow) conn[Symbol.dispose]();
    await session.close();
  }
});

Deno.test("over TLS, connections that never finish the handshake or the request head are closed after request_header_timeout (Deno.serve front end)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const certs = await makeCertificates(dir);
    await using node = await hostNode(
      config({ request_header_timeout: 1 }, {
        interface: "127.0.0.1",
        tls: { key: certs.keyFile, certificate: certs.certFile },
      }),
      { cbdir: dir, logger: QUIET },
    );
    const port = Number(new URL(node.url).port);
    // No handshake at all, and half a ClientHello's worth of bytes.
    using silent = await openRaw(port);
    using partial = await openRaw(port);
    await partial.send(new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
    // A TLS client that completes the handshake but not its request head.
    const tls = await Deno.connectTls({
      hostname: "127.0.0.1",
      port,
      caCerts: [certs.caCert],
    });
    await tls.handshake();
    await tls.write(new TextEncoder().encode(HALF_HEAD));
    const tlsClosed = tls.read(new Uint8Array(1024)).catch(() => null);
    const client = Deno.createHttpClient({ caCerts: [certs.caCert] });
    try {
      const response = await fetch(`${node.url}/`, { client });
      assertEquals(await response.json(), { hello: "world" });
      const [a, b, c] = await within(
        Promise.all([silent.rest(), partial.rest(), tlsClosed]),
        60_000,
        "TLS slowloris connections closed",
      );
      assertEquals([a, b, c], ["", "", null]);
    } finally {
      client.close();
      try {
        tls.close();
      } catch { /* closed by the server */ }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
