import { resolve } from "node:path";
import autobahn from "autobahn";
import WsClient from "ws";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { REPO_ROOT } from "../_helpers/node.ts";
import { makeCertificates, makeClientCertificate } from "../_helpers/tls.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { EndpointError, hostNode } from "../../lib/node/mod.ts";
import type { PathService, ServeContext } from "../../lib/web/path_service.ts";
import { PathTable } from "../../lib/web/path_table.ts";
import {
  type ListenEndpoint,
  listenWebTransport,
  type WebTransport,
} from "../../lib/web/web_transport.ts";
import { within } from "../_helpers/within.ts";

autobahn.log.warn = () => {};
autobahn.log.debug = () => {};

const APPS = resolve(REPO_ROOT, "tests/testdata/node/apps");
// Apps may not read the node directory: keep them apart.
const ECHO = resolve(APPS, "echo.ts");
const NODE_DIR = await Deno.makeTempDir();
const QUIET = createLogger({ level: "error", write: () => {} });

interface Pki extends AsyncDisposable {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  alice: { cert: string; key: string };
  stranger: { cert: string; key: string };
}

/** A CA with a server and a client certificate, plus a foreign CA's client. */
async function makePki(): Promise<Pki> {
  const dir = await Deno.makeTempDir();
  const other = resolve(dir, "other");
  await Deno.mkdir(other);
  const certs = await makeCertificates(dir);
  await makeCertificates(other);
  return {
    dir,
    ca: certs.caCert,
    serverCert: await Deno.readTextFile(resolve(dir, certs.certFile)),
    serverKey: await Deno.readTextFile(resolve(dir, certs.keyFile)),
    alice: await makeClientCertificate(dir, "alice"),
    stranger: await makeClientCertificate(other, "stranger"),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Settled by `/forever` when its client went away. */
let forever = {
  cancelled: Promise.withResolvers<void>(),
  aborted: Promise.withResolvers<void>(),
};

/**
 * Echoes the request as JSON; `POST /stream` streams the body back, `/slow`
 * answers after 2 s, `/forever` streams until the client goes away.
 */
const echoService: PathService = {
  type: "test-echo",
  async handle(request: Request, context: ServeContext) {
    const url = new URL(request.url);
    if (url.pathname === "/stream") {
      const headers = new Headers({
        "content-type": "application/octet-stream",
      });
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      return new Response(request.body, { headers });
    }
    if (url.pathname === "/forever") {
      const { cancelled, aborted } = forever;
      request.signal.addEventListener("abort", () => aborted.resolve());
      let timer: ReturnType<typeof setInterval> | undefined;
      return new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            timer = setInterval(
              () => controller.enqueue(new Uint8Array(1000)),
              10,
            );
          },
          cancel() {
            clearInterval(timer);
            cancelled.resolve();
          },
        }),
      );
    }
    if (url.pathname === "/slow") {
      await new Promise((r) => setTimeout(r, 2000));
      return new Response("slow done");
    }
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => headers[name] = value);
    return Response.json({
      url: request.url,
      method: request.method,
      rest: context.rest,
      search: context.search,
      headers,
      body: await request.text(),
      secure: context.secure,
      remote: (context.remoteAddr as Deno.NetAddr).hostname,
      certificate: context.clientCertificate ?? null,
    });
  },
  close: () => Promise.resolve(),
};

function listen(
  endpoint: ListenEndpoint,
  clientTimeout?: number,
): Promise<WebTransport> {
  const table = new PathTable<PathService>();
  table.add("", echoService);
  return listenWebTransport({
    endpoint,
    table,
    logger: QUIET,
    behaviour: {
      accessLog: false,
      displayTracebacks: false,
      hstsMaxAge: undefined,
      clientTimeout,
    },
  });
}

function mtlsEndpoint(pki: Pki): ListenEndpoint {
  return {
    kind: "tcp",
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: pki.serverCert, key: pki.serverKey, ca: [pki.ca] },
  };
}

Deno.test("listenWebTransport() with client CAs refuses clients without a CA-signed certificate", async () => {
  await using pki = await makePki();
  await using server = await listen(mtlsEndpoint(pki));
  assert(server.url.startsWith("https://127.0.0.1:"), server.url);
  using anonymous = Deno.createHttpClient({ caCerts: [pki.ca] });
  await assertRejects(() => fetch(server.url + "/", { client: anonymous }));
  using stranger = Deno.createHttpClient({
    caCerts: [pki.ca],
    ...pki.stranger,
  });
  await assertRejects(() => fetch(server.url + "/", { client: stranger }));
});

Deno.test("listenWebTransport() with client CAs serves a CA-signed client and shows its certificate", async () => {
  await using pki = await makePki();
  await using server = await listen(mtlsEndpoint(pki));
  using client = Deno.createHttpClient({ caCerts: [pki.ca], ...pki.alice });
  const response = await fetch(server.url + "/a/b?x=1&y=2", {
    client,
    method: "PUT",
    headers: [["x-one", "1"], ["x-many", "a"], ["x-many", "b"]],
    body: "hello",
  });
  assertEquals(response.status, 200);
  const seen = await response.json();
  assertEquals(seen.method, "PUT");
  assertEquals(seen.rest, "/a/b");
  assertEquals(seen.search, "?x=1&y=2");
  assertEquals(seen.url, `${server.url}/a/b?x=1&y=2`);
  assertEquals(seen.headers["x-one"], "1");
  assertEquals(seen.headers["x-many"], "a, b");
  assertEquals(seen.body, "hello");
  assertEquals(seen.secure, true);
  assertEquals(seen.remote, "127.0.0.1");
  assertEquals(seen.certificate.subject.CN, "alice");
  assertEquals(seen.certificate.subject.O, "Test Clients");
  assert(
    /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(seen.certificate.fingerprint256),
  );
});

Deno.test("listenWebTransport() with client CAs streams a 5 MB body both ways and keeps each set-cookie", async () => {
  await using pki = await makePki();
  await using server = await listen(mtlsEndpoint(pki));
  using client = Deno.createHttpClient({ caCerts: [pki.ca], ...pki.alice });
  const size = 5 * 1024 * 1024;
  const sent = new Uint8Array(size);
  for (let i = 0; i < size; i++) sent[i] = (i * 7 + (i >> 11)) & 0xff;
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= size) return controller.close();
      controller.enqueue(sent.slice(offset, offset + 100_000));
      offset += 100_000;
    },
  });
  const response = await fetch(server.url + "/stream", {
    client,
    method: "POST",
    body,
  });
  assertEquals(response.status, 200);
  assertEquals(response.headers.getSetCookie(), ["a=1; Path=/", "b=2; Path=/"]);
  const received = new Uint8Array(await response.arrayBuffer());
  assertEquals(received.length, size);
  assert(received.every((byte, i) => byte === sent[i]), "body differs");
});

Deno.test("listenWebTransport() with client CAs cancels the response body and aborts the signal when the client leaves", async () => {
  forever = {
    cancelled: Promise.withResolvers<void>(),
    aborted: Promise.withResolvers<void>(),
  };
  await using pki = await makePki();
  await using server = await listen(mtlsEndpoint(pki));
  using client = Deno.createHttpClient({ caCerts: [pki.ca], ...pki.alice });
  const controller = new AbortController();
  const response = await fetch(server.url + "/forever", {
    client,
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  assert(!(await reader.read()).done);
  controller.abort();
  await reader.closed.catch(() => {});
  await within(forever.cancelled.promise, 10_000, "body cancel");
  await within(forever.aborted.promise, 10_000, "request signal");
});

Deno.test("listenWebTransport() with client_timeout serves a unix socket", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = resolve(dir, "web.sock");
    await using server = await listen({ kind: "unix", path }, 1);
    assertEquals(server.url, `unix:${path}`);
    using client = Deno.createHttpClient({
      proxy: { transport: "unix", path },
    });
    const response = await fetch("http://localhost/over/unix?z=9", { client });
    const seen = await response.json();
    assertEquals(seen.rest, "/over/unix");
    assertEquals(seen.search, "?z=9");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Reads until the server closes; returns the bytes read. */
async function readUntilClosed(conn: Deno.Conn): Promise<string> {
  const buffer = new Uint8Array(4096);
  let text = "";
  while (true) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) return text;
    text += new TextDecoder().decode(buffer.subarray(0, n));
  }
}

Deno.test("listenWebTransport() with client_timeout closes an idle connection", async () => {
  await using server = await listen(
    { kind: "tcp", hostname: "127.0.0.1", port: 0 },
    1,
  );
  const { port } = server.addr as Deno.NetAddr;
  const started = performance.now();
  using idle = await Deno.connect({ hostname: "127.0.0.1", port });
  const deadline = setTimeout(() => idle.close(), 15_000);
  assertEquals(await readUntilClosed(idle), "");
  clearTimeout(deadline);
  const elapsed = performance.now() - started;
  assert(elapsed >= 800 && elapsed < 14_000, `closed after ${elapsed} ms`);
});

Deno.test("listenWebTransport() with client_timeout closes a kept-alive connection once idle", async () => {
  await using server = await listen(
    { kind: "tcp", hostname: "127.0.0.1", port: 0 },
    1,
  );
  const { port } = server.addr as Deno.NetAddr;
  using conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode("GET /kept HTTP/1.1\r\nHost: example\r\n\r\n"),
  );
  const deadline = setTimeout(() => conn.close(), 15_000);
  const text = await readUntilClosed(conn);
  clearTimeout(deadline);
  assertStringIncludes(text, "HTTP/1.1 200");
  assertStringIncludes(text, '"url":"http://example/kept"');
});

Deno.test("listenWebTransport() with client_timeout answers odd request targets and hosts without failing", async () => {
  await using server = await listen(
    { kind: "tcp", hostname: "127.0.0.1", port: 0 },
    1,
  );
  const { port } = server.addr as Deno.NetAddr;
  const ask = async (head: string) => {
    using conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode(head));
    return await readUntilClosed(conn);
  };
  const absolute = await ask(
    "GET http://elsewhere/x?y=1 HTTP/1.1\r\nHost: a/b\r\nConnection: close\r\n\r\n",
  );
  assertStringIncludes(absolute, "HTTP/1.1 200");
  assertStringIncludes(absolute, `"url":"http://127.0.0.1:${port}/x?y=1"`);
  const star = await ask(
    "OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  );
  assertStringIncludes(star, "HTTP/1.1 400");
  const h2c = await ask(
    "GET /h2c HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n" +
      "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
  );
  assertStringIncludes(h2c, "HTTP/1.1 200");
  assertStringIncludes(h2c, '"rest":"/h2c"');
  const garbage = await ask("NOT HTTP AT ALL\r\n\r\n");
  assertStringIncludes(garbage, "HTTP/1.1 400");
  const after = await fetch(server.url + "/still");
  assertEquals((await after.json()).rest, "/still");
});

Deno.test("listenWebTransport() with client_timeout lets a slower request finish", async () => {
  await using server = await listen(
    { kind: "tcp", hostname: "127.0.0.1", port: 0 },
    1,
  );
  const response = await fetch(server.url + "/slow");
  assertEquals(response.status, 200);
  assertEquals(await response.text(), "slow done");
});

function wampConfig(endpoint: Record<string, unknown>) {
  const all = { call: true, register: true, publish: true, subscribe: true };
  return {
    version: 2,
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        roles: [{
          name: "anonymous",
          permissions: [{ uri: "", match: "prefix", allow: all }],
        }],
      }],
      transports: [{
        type: "web",
        endpoint,
        options: { client_timeout: 1 },
        paths: {
          "/": {
            type: "wsgi",
            module: ECHO,
            object: "echo",
            workers: 1,
          },
          ws: { type: "websocket" },
          pinged: {
            type: "websocket",
            options: { auto_ping_interval: 1000 },
          },
        },
      }],
    }],
  };
}

// deno-lint-ignore no-explicit-any
type AbSession = any;

function openSession(url: string) {
  const closed = Promise.withResolvers<void>();
  const connection = new autobahn.Connection({
    url,
    realm: "realm1",
    max_retries: 0,
    retry_if_unreachable: false,
  });
  const opened = new Promise<AbSession>((resolve, reject) => {
    connection.onopen = resolve;
    connection.onclose = (reason: string) => {
      closed.resolve();
      reject(new Error(`autobahn closed: ${reason}`));
      return true;
    };
  });
  connection.open();
  return {
    opened,
    async close() {
      if (connection.isOpen) connection.close();
      await closed.promise;
    },
  };
}

Deno.test("hostNode() serves WAMP over a client_timeout transport past the timeout", async () => {
  await using node = await hostNode(
    wampConfig({ type: "tcp", port: 0, interface: "127.0.0.1" }),
    { cbdir: NODE_DIR },
  );
  const page = await fetch(node.url + "/page?q=1");
  assertEquals((await page.json()).path, "/page");
  const client = openSession(node.url.replace("http", "ws") + "/ws");
  try {
    const session = await client.opened;
    await session.register(
      "com.test.add",
      (args: number[]) => args[0]! + args[1]!,
    );
    assertEquals(await session.call("com.test.add", [2, 3]), 5);
    const got = Promise.withResolvers<unknown>();
    await session.subscribe(
      "com.test.topic",
      (args: unknown[]) => got.resolve(args[0]),
    );
    // Longer than client_timeout: a WebSocket is not an idle HTTP connection.
    await new Promise((r) => setTimeout(r, 1500));
    await session.publish("com.test.topic", ["news"], {}, {
      acknowledge: true,
      exclude_me: false,
    });
    assertEquals(await got.promise, "news");
    assertEquals(await session.call("com.test.add", [4, 5]), 9);
  } finally {
    await client.close();
  }
});

Deno.test("hostNode() with ca_certificates does a WAMP handshake for a ws client with a certificate", async () => {
  await using pki = await makePki();
  await Deno.copyFile(resolve(APPS, "echo.ts"), resolve(pki.dir, "echo.ts"));
  await using node = await hostNode(
    wampConfig({
      type: "tcp",
      port: 0,
      interface: "127.0.0.1",
      tls: {
        key: "key.pem",
        certificate: "cert.pem",
        ca_certificates: ["ca.pem"],
      },
    }),
    { cbdir: pki.dir },
  );
  const socket = new WsClient(node.url.replace("https", "wss") + "/ws", [
    "wamp.2.json",
  ], { ca: pki.ca, ...pki.alice });
  const closed = new Promise((r) => socket.once("close", r));
  try {
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    assertEquals(socket.protocol, "wamp.2.json");
    socket.send(JSON.stringify([1, "realm1", { roles: { caller: {} } }]));
    const [data] = await new Promise<[unknown]>((r) =>
      socket.once("message", (...args: unknown[]) => r([args[0]]))
    );
    const welcome = JSON.parse(String(data));
    assertEquals(welcome[0], 2);
    assertEquals(welcome[2].authrole, "anonymous");
  } finally {
    socket.close();
    await closed;
  }
  const refused = new WsClient(node.url.replace("https", "wss") + "/ws", [
    "mqtt",
  ], { ca: pki.ca, ...pki.alice });
  const status = await new Promise<number>((resolve, reject) => {
    refused.once(
      "unexpected-response",
      (_req: unknown, res: { statusCode: number; resume(): void }) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    refused.once(
      "open",
      () => reject(new Error("upgraded without a WAMP subprotocol")),
    );
    refused.once("error", reject);
  });
  assertEquals(status, 400);
  refused.terminate();
});

/** Opens a raw `ws` client on `url` and joins realm1. */
async function joinRaw(url: string, options: Record<string, unknown> = {}) {
  const socket = new WsClient(url, ["wamp.2.json"], options);
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const welcome = new Promise((r) => socket.once("message", r));
  socket.send(JSON.stringify([1, "realm1", { roles: { caller: {} } }]));
  await welcome;
  return { socket, closed };
}

Deno.test("hostNode() cuts a WebSocket that ignores pings on a client_timeout transport", async () => {
  await using node = await hostNode(
    wampConfig({ type: "tcp", port: 0, interface: "127.0.0.1" }),
    { cbdir: NODE_DIR },
  );
  const url = node.url.replace("http", "ws") + "/pinged";
  const deaf = await joinRaw(url, { autoPong: false });
  const live = await joinRaw(url);
  try {
    await within(deaf.closed, 15_000, "closing the deaf client");
    assertEquals(live.socket.readyState, WsClient.OPEN);
  } finally {
    deaf.socket.terminate();
    live.socket.close();
    await live.closed;
  }
});

Deno.test("listenWebTransport() with client_timeout reports a taken port as AddrInUse", async () => {
  await using first = await listen(
    { kind: "tcp", hostname: "127.0.0.1", port: 0 },
    1,
  );
  const { port } = first.addr as Deno.NetAddr;
  await assertRejects(
    () => listen({ kind: "tcp", hostname: "127.0.0.1", port }, 1),
    Deno.errors.AddrInUse,
  );
});

Deno.test("hostNode() refuses a shared port on a client_timeout transport", async () => {
  await assertRejects(
    () =>
      hostNode(
        wampConfig({
          type: "tcp",
          port: 0,
          interface: "127.0.0.1",
          shared: true,
        }),
        { cbdir: NODE_DIR },
      ),
    EndpointError,
    "SO_REUSEPORT",
  );
});
