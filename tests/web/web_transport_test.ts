import { resolve } from "node:path";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { REPO_ROOT } from "../_helpers/node.ts";
import { makeCertificates } from "../_helpers/tls.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { EndpointError, hostNode } from "../../lib/node/mod.ts";

const APPS = resolve(REPO_ROOT, "tests/testdata/node/apps");
// Apps may not read the node directory: keep them apart.
const ECHO = resolve(APPS, "echo.ts");
const NODE_DIR = await Deno.makeTempDir();

function config(options: Record<string, unknown>, endpoint?: unknown) {
  return {
    version: 2,
    workers: [{
      type: "router",
      transports: [{
        type: "web",
        endpoint: endpoint ??
          { type: "tcp", port: 0, interface: "127.0.0.1" },
        options,
        paths: {
          "/": {
            type: "wsgi",
            module: ECHO,
            object: "echo",
            workers: 1,
          },
          fail: {
            type: "wsgi",
            module: ECHO,
            object: "fail",
            workers: 1,
          },
        },
      }],
    }],
  };
}

Deno.test("web transport sends HSTS when configured", async () => {
  await using node = await hostNode(
    config({ hsts: true, hsts_max_age: 1234 }),
    { cbdir: NODE_DIR },
  );
  const response = await fetch(node.url + "/");
  await response.body?.cancel();
  assertEquals(
    response.headers.get("strict-transport-security"),
    "max-age=1234",
  );
  const plain = await hostNode(config({}), { cbdir: NODE_DIR });
  const other = await fetch(plain.url + "/");
  await other.body?.cancel();
  assertEquals(other.headers.get("strict-transport-security"), null);
  await plain.close();
});

Deno.test("web transport writes one access log line per request", async () => {
  const lines: string[] = [];
  const logger = createLogger({ level: "info", write: (l) => lines.push(l) });
  await using node = await hostNode(config({ access_log: true }), {
    cbdir: NODE_DIR,
    logger,
  });
  const response = await fetch(node.url + "/logged?x=1");
  const body = await response.text();
  const line = lines.find((l) => l.includes("/logged"));
  assert(line, lines.join("\n"));
  // The query string is logged with the path.
  assertStringIncludes(line, `"GET /logged?x=1" 200 ${body.length}`);
  assertStringIncludes(line, "access: 127.0.0.1");
});

Deno.test("web transport hides app errors unless display_tracebacks", async () => {
  await using quiet = await hostNode(config({}), { cbdir: NODE_DIR });
  const hidden = await fetch(quiet.url + "/fail");
  assertEquals(hidden.status, 500);
  const text = await hidden.text();
  assert(!text.includes("on purpose"), text);
  await using loud = await hostNode(config({ display_tracebacks: true }), {
    cbdir: NODE_DIR,
  });
  const shown = await fetch(loud.url + "/fail");
  assertEquals(shown.status, 500);
  assertStringIncludes(await shown.text(), "the app failed on purpose");
});

Deno.test("web transport listens on a unix socket", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using node = await hostNode(
      config({}, { type: "unix", path: resolve(dir, "node.sock") }),
      { cbdir: NODE_DIR },
    );
    assertEquals(node.url, `unix:${resolve(dir, "node.sock")}`);
    const client = Deno.createHttpClient({
      proxy: { transport: "unix", path: resolve(dir, "node.sock") },
    });
    const response = await fetch("http://localhost/via/unix", { client });
    assertEquals((await response.json()).path, "/via/unix");
    client.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("web transport serves TLS with a certificate from the cbdir", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const certs = await makeCertificates(dir);
    await Deno.copyFile(resolve(APPS, "echo.ts"), resolve(dir, "echo.ts"));
    await using node = await hostNode(
      config({}, {
        type: "tcp",
        port: 0,
        interface: "127.0.0.1",
        tls: { key: certs.keyFile, certificate: certs.certFile },
      }),
      { cbdir: dir },
    );
    assert(node.url.startsWith("https://127.0.0.1:"), node.url);
    const client = Deno.createHttpClient({
      caCerts: [certs.caCert],
    });
    const response = await fetch(node.url + "/secure", { client });
    assertEquals((await response.json()).path, "/secure");
    client.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("web transport takes the first free port of a portrange", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const low = (taken.addr as Deno.NetAddr).port;
  try {
    await using node = await hostNode(
      config({}, {
        type: "tcp",
        interface: "127.0.0.1",
        portrange: [low, low + 20],
      }),
      { cbdir: NODE_DIR },
    );
    const port = Number(new URL(node.url).port);
    assert(port > low && port <= low + 20, `port ${port} outside the range`);
    assertEquals((await (await fetch(node.url + "/r")).json()).path, "/r");
  } finally {
    taken.close();
  }
});

Deno.test("web transport reads its port from $ENV", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  await using node = await hostNode(
    config({}, { type: "tcp", interface: "127.0.0.1", port: "$NODE_PORT" }),
    { cbdir: NODE_DIR, env: { NODE_PORT: String(port) } },
  );
  assertEquals(node.url, `http://127.0.0.1:${port}`);
});

Deno.test("web transport listens on IPv6 loopback", async () => {
  await using node = await hostNode(
    config({}, { type: "tcp", version: 6, interface: "::1", port: 0 }),
    { cbdir: NODE_DIR },
  );
  assert(node.url.startsWith("http://[::1]:"), node.url);
  assertEquals((await (await fetch(node.url + "/six")).json()).path, "/six");
});

Deno.test("web transport refuses a missing client CA certificate file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const certs = await makeCertificates(dir);
    await Deno.copyFile(resolve(APPS, "echo.ts"), resolve(dir, "echo.ts"));
    await assertRejects(
      () =>
        hostNode(
          config({}, {
            type: "tcp",
            port: 0,
            interface: "127.0.0.1",
            tls: {
              key: certs.keyFile,
              certificate: certs.certFile,
              ca_certificates: ["missing-ca.pem"],
            },
          }),
          { cbdir: dir },
        ),
      EndpointError,
      "CA certificate",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
