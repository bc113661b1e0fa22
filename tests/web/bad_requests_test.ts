/**
 * Malformed and overlong requests over raw TCP against a real node: the
 * node answers them itself with a 4xx/501, and no app is blamed.
 */
import { resolve } from "node:path";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { webNodeConfig } from "../_helpers/config.ts";
import { REPO_ROOT } from "../_helpers/node.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { hostNode } from "../../lib/node/mod.ts";
import { rawExchange, statusOf } from "./_raw_conn.ts";

const APPS = resolve(REPO_ROOT, "tests/testdata/node/apps");
// The node directory is not the apps' folder (apps may not read the node's).
const CBDIR = await Deno.makeTempDir();
const STATIC = resolve(REPO_ROOT, "tests/testdata/static");

function config() {
  return webNodeConfig({
    "/": {
      type: "wsgi",
      module: resolve(APPS, "echo.ts"),
      object: "echo",
      workers: 1,
    },
    up: {
      type: "wsgi",
      module: resolve(APPS, "upload.ts"),
      object: "upload",
      workers: 1,
    },
    static: { type: "static", directory: STATIC },
    pub: { type: "publisher", realm: "realm1", role: "anonymous" },
    ws: { type: "websocket" },
  });
}

async function startLogged() {
  const lines: string[] = [];
  const logger = createLogger({ level: "info", write: (l) => lines.push(l) });
  const node = await hostNode(config(), { cbdir: CBDIR, logger });
  const port = Number(new URL(node.url).port);
  return { node, port, lines };
}

function request(method: string, target: string, extra = ""): string {
  return `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
    `Connection: close\r\n${extra}\r\n`;
}

function noErrors(lines: string[]): void {
  const errors = lines.filter((l) => / error /.test(l));
  assertEquals(errors, [], "nothing may be logged as an error");
}

Deno.test("methods the node does not serve get 501 from the node, not a 500 from the app", async () => {
  const { node, port, lines } = await startLogged();
  try {
    for (
      const line of ["get /", "head /", "post /up", "CONNECT 127.0.0.1:80"]
    ) {
      const [method, target] = line.split(" ") as [string, string];
      const text = await rawExchange(port, request(method, target));
      assertEquals(statusOf(text), 501, `${line}: ${text}`);
    }
    for (const target of ["/", "/static/hello.txt", "/pub", "/nowhere"]) {
      for (const method of ["TRACE", "TRACK", "trace"]) {
        const text = await rawExchange(port, request(method, target));
        assertEquals(statusOf(text), 501, `${method} ${target}: ${text}`);
      }
    }
    // The app still serves a real request.
    const ok = await rawExchange(port, request("GET", "/x"));
    assertEquals(statusOf(ok), 200);
    noErrors(lines);
  } finally {
    await node.close();
  }
});

Deno.test("a body the HTTP parser rejects (100 KB chunk extension) gets 400, the app is not blamed", async () => {
  const { node, port, lines } = await startLogged();
  try {
    const body = `5;${"a".repeat(100_000)}\r\nhello\r\n0\r\n\r\n`;
    const text = await rawExchange(
      port,
      request("POST", "/up", "Transfer-Encoding: chunked\r\n") + body,
    );
    assertEquals(statusOf(text), 400, text.slice(0, 200));
    noErrors(lines);
    // A well-formed chunked body still arrives whole.
    const good = await rawExchange(
      port,
      request("POST", "/up", "Transfer-Encoding: chunked\r\n") +
        "5;name=value\r\nhello\r\n0\r\n\r\n",
    );
    assertEquals(statusOf(good), 200);
    assert(good.endsWith("received 5 bytes\n"), good);
  } finally {
    await node.close();
  }
});

Deno.test("a 60,008-character path gets 414 everywhere, never 500", async () => {
  const { node, port, lines } = await startLogged();
  try {
    const long = "a".repeat(60_000);
    for (const prefix of ["/static/", "/", "/pub/", "/up/", "/ws/", "/x/"]) {
      const target = (prefix + long).padEnd(60_008, "b");
      assertEquals(target.length, 60_008);
      const text = await rawExchange(port, request("GET", target));
      assertEquals(statusOf(text), 414, `${prefix}: ${text.slice(0, 100)}`);
    }
    // Long but under the limit: static answers 404, not 500.
    const name = "/static/" + "c".repeat(8_000);
    const missing = await rawExchange(port, request("GET", name));
    assertEquals(statusOf(missing), 404);
    noErrors(lines);
  } finally {
    await node.close();
  }
});
