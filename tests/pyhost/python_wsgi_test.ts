import { resolve } from "node:path";
import {
  assert,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { REPO_ROOT, startNodeDir } from "../_helpers/node.ts";
import { recordLog } from "../_helpers/log_recorder.ts";
import { AppLoadError } from "../../lib/apphost/mod.ts";
import { checkPythonApp } from "../../lib/pyhost/mod.ts";
import { loadConfig, validateServiceConfig } from "../../lib/config/mod.ts";
import { startNode } from "../../lib/node/mod.ts";

const FLASK = resolve(REPO_ROOT, "tests/testdata/flask");

Deno.test("the seed's literal Flask example answers GET / with its page", async () => {
  await using node = await startNodeDir(resolve(FLASK, "seed/.crossbar"));
  const response = await fetch(node.url + "/");
  assertEquals(response.status, 200);
  assertStringIncludes(response.headers.get("content-type") ?? "", "text/html");
  assertStringIncludes(
    await response.text(),
    "<h1>Hello from Crossbar.io</h1>",
  );
  // The websocket path next to it is mounted as usual.
  const ws = await fetch(node.url + "/ws");
  await ws.body?.cancel();
  assertEquals(ws.status, 200);
});

Deno.test("a Flask app mounted at a sub path gets it as SCRIPT_NAME", async (t) => {
  await using node = await startNodeDir(resolve(FLASK, "probe/.crossbar"));
  await t.step("the seed app at /flask/", async () => {
    const response = await fetch(node.url + "/flask/");
    assertEquals(response.status, 200);
    assertStringIncludes(
      await response.text(),
      "<h1>Hello from Crossbar.io</h1>",
    );
  });
  await t.step("environ of a mounted app", async () => {
    const response = await fetch(node.url + "/probe/environ?x=1", {
      headers: {
        "x-crossbar-script-name": "/forged",
        "x-forwarded-proto": "https",
      },
    });
    const environ = await response.json();
    assertEquals(environ.script_name, "/probe");
    assertEquals(environ.path_info, "/environ");
    assertEquals(environ.query, "x=1");
    assertEquals(environ.remote_addr, "127.0.0.1");
    assertEquals(environ.url_scheme, "http");
    assertEquals(environ.forged, null);
    assertEquals(environ.url, node.url + "/probe/environ?x=1");
  });
});

Deno.test("a hung Flask handler gets 504 and its worker is replaced", async () => {
  await using node = await startNodeDir(resolve(FLASK, "probe/.crossbar"));
  const before = await (await fetch(node.url + "/probe/pid")).text();
  const hung = await fetch(node.url + "/probe/hang");
  await hung.body?.cancel();
  assertEquals(hung.status, 504);
  // The only worker ran the hung request: the next answer comes from its
  // replacement (the request waits in gunicorn's backlog meanwhile).
  const after = await fetch(node.url + "/probe/pid");
  assertEquals(after.status, 200);
  assertNotEquals(await after.text(), before);
});

Deno.test("a Flask worker that dies mid-request gives 502, and the next request is served", async () => {
  await using node = await startNodeDir(resolve(FLASK, "probe/.crossbar"));
  const crash = await fetch(node.url + "/probe/crash");
  await crash.body?.cancel();
  assertEquals(crash.status, 502);
  const next = await fetch(node.url + "/probe/pid");
  assertEquals(next.status, 200);
  assert(Number(await next.text()) > 0);
});

Deno.test("Flask request and response bodies pass; max_body_size gives 413", async () => {
  await using node = await startNodeDir(resolve(FLASK, "probe/.crossbar"));
  const body = new Uint8Array(1_500_000).map((_, i) => i % 251);
  const echo = await fetch(node.url + "/probe/echo", { method: "POST", body });
  assertEquals(new Uint8Array(await echo.arrayBuffer()), body);
  const stream = await fetch(node.url + "/probe/stream");
  assertEquals(
    await stream.text(),
    "chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n",
  );
  const big = await fetch(node.url + "/probe/echo", {
    method: "POST",
    body: new Uint8Array(2_000_001),
  });
  await big.body?.cancel();
  assertEquals(big.status, 413);
  // Streamed without a length: cut off at the limit.
  const chunked = await fetch(node.url + "/probe/echo", {
    method: "POST",
    body: ReadableStream.from([
      new Uint8Array(1_500_000),
      new Uint8Array(600_000),
    ]),
  });
  await chunked.body?.cancel();
  assertEquals(chunked.status, 413);
});

Deno.test("a Flask app is sandboxed: no network, no files outside its folder, only granted env", async () => {
  Deno.env.set("CROSSBAR_TEST_GRANTED", "yes");
  Deno.env.set("CROSSBAR_TEST_SECRET", "no");
  await using node = await startNodeDir(resolve(FLASK, "probe/.crossbar"));
  await using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const report = await (await fetch(node.url + `/probe/sandbox?port=${port}`))
    .json();
  assertEquals(report.passwd, "FileNotFoundError");
  assertEquals(report.cbdir, "FileNotFoundError");
  assertEquals(report.write_app_dir, "OSError");
  assertNotEquals(report.net, "connected");
  assert(report.env.includes("CROSSBAR_TEST_GRANTED"));
  assert(!report.env.includes("CROSSBAR_TEST_SECRET"));
  assert(!report.env.includes("HOME"));
});

Deno.test("checkPythonApp() reports a failing import with the Python error", async () => {
  const error = await assertRejects(
    () =>
      checkPythonApp({
        ...validateServiceConfig({
          type: "wsgi",
          module: "broken",
          object: "app",
        }),
        path: "/",
        cbdir: resolve(FLASK, "probe/.crossbar"),
        pythonpath: [".."],
      }),
    AppLoadError,
  );
  assertStringIncludes(error.message, "broken.py");
  assertStringIncludes(
    error.message,
    "No module named 'no_such_python_module_anywhere'",
  );
});

Deno.test("a dead gunicorn server is started again, and serves again", async () => {
  const { logger, waitFor } = recordLog();
  const loaded = await loadConfig(
    resolve(FLASK, "probe/.crossbar/config.json"),
  );
  for (const worker of loaded.config.workers) {
    if (worker.type !== "router") continue;
    for (const transport of worker.transports) {
      Object.assign(transport.endpoint, { port: 0, interface: "127.0.0.1" });
    }
  }
  await using node = await startNode({
    config: loaded.config,
    cbdir: loaded.cbdir,
    logger,
  });
  const killed = await fetch(node.url + "/probe/kill-server");
  await killed.body?.cancel();
  await waitFor(
    /the Python app server exited with code \S+; restarting in 500 ms/,
  );
  await waitFor(/the Python app server is back/);
  const after = await fetch(node.url + "/probe/pid");
  assertEquals(after.status, 200);
});
