import { resolve } from "node:path";
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { REPO_ROOT } from "../_helpers/node.ts";
import { hostNode } from "../../lib/node/mod.ts";

const APPS = resolve(REPO_ROOT, "tests/testdata/node/apps");
// Apps may not read the node directory: keep them apart.
const ECHO = resolve(APPS, "echo.ts");
const NODE_DIR = await Deno.makeTempDir();

function wsgi(object = "echo") {
  return { type: "wsgi", module: ECHO, object, workers: 1 };
}

function node(paths: Record<string, unknown>) {
  return hostNode({
    version: 2,
    workers: [{
      type: "router",
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        paths,
      }],
    }],
  }, { cbdir: NODE_DIR });
}

async function echo(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  assertEquals(response.status, 200, url);
  return await response.json();
}

Deno.test("hostNode() mounts apps with WSGI prefix semantics", async () => {
  await using n = await node({
    "/": wsgi(),
    app: wsgi(),
    "api/v2": wsgi(),
    nest: { type: "path", paths: { "/": wsgi(), deeper: wsgi() } },
  });
  const root = await echo(n.url + "/x/y?q=1");
  assertEquals([root.path, root.search, root.prefix], ["/x/y", "?q=1", null]);
  const app = await echo(n.url + "/app/a/b?x=1", { method: "POST", body: "" });
  assertEquals([app.method, app.path, app.search, app.prefix], [
    "POST",
    "/a/b",
    "?x=1",
    "/app",
  ]);
  assertEquals((await echo(n.url + "/app")).path, "/");
  assertEquals((await echo(n.url + "/api/v2/users")).prefix, "/api/v2");
  assertEquals((await echo(n.url + "/api/v1")).prefix, null);
  assertEquals((await echo(n.url + "/nest/x")).prefix, "/nest");
  assertEquals((await echo(n.url + "/nest/deeper/z")).path, "/z");
  assertEquals((await echo(n.url + "/appx")).path, "/appx");
  assertEquals((await echo(n.url + "/")).remote, "127.0.0.1");
});

Deno.test("hostNode() answers 404 where no path and no root match", async () => {
  await using n = await node({
    app: wsgi(),
    nest: { type: "path", paths: { inner: wsgi() } },
  });
  for (const path of ["/", "/other", "/appx", "/nest", "/nest/other"]) {
    const response = await fetch(n.url + path);
    assertEquals(response.status, 404, path);
    assertStringIncludes(await response.text(), "Not Found");
  }
  assertEquals((await echo(n.url + "/nest/inner/q")).path, "/q");
});
