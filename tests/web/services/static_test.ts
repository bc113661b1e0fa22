import assert from "node:assert/strict";
import { join } from "node:path";
import { createStaticService } from "../../../lib/web/services/static.ts";
import type { StaticServiceConfig } from "../../../lib/config/mod.ts";
import { validateServiceConfig } from "../../../lib/config/mod.ts";
import { serveService } from "../../_helpers/serve_service.ts";
import { testEnv } from "./_env.ts";

const EXPECTED = await Deno.readTextFile(
  new URL("../../testdata/static/pre.txt", import.meta.url),
);

function serveStatic(
  options: Partial<StaticServiceConfig["options"]> = {},
  prefix = "",
  directory = "static",
) {
  const config = validateServiceConfig({
    type: "static",
    directory,
    options,
  });
  return serveService(createStaticService(config, testEnv()), { prefix });
}

Deno.test("createStaticService() serves files with their content types", async () => {
  await using server = serveStatic({ mime_types: { ".custom": "x/custom" } });
  const cases: [string, string][] = [
    ["/hello.txt", "text/plain; charset=utf-8"],
    ["/index.html", "text/html; charset=utf-8"],
    ["/app.js", "text/javascript; charset=utf-8"],
    ["/module.mjs", "text/javascript; charset=utf-8"],
    ["/style.css", "text/css; charset=utf-8"],
    ["/image.svg", "image/svg+xml"],
    ["/data.json", "application/json; charset=utf-8"],
    ["/lib.wasm", "application/wasm"],
    ["/font.woff2", "font/woff2"],
    ["/file.custom", "x/custom"],
  ];
  for (const [path, type] of cases) {
    const response = await fetch(server.url + path);
    await response.body?.cancel();
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("content-type"), type, path);
  }
  const hello = await fetch(server.url + "/hello.txt");
  assert.equal(await hello.text(), "Hello, static world!\n");
});

Deno.test("createStaticService() serves index.html and redirects folders to the slash form", async () => {
  for (const prefix of ["", "/files"]) {
    await using server = serveStatic({}, prefix);
    const root = await fetch(`${server.url}${prefix}/`);
    assert.match(await root.text(), /root index/);
    const sub = await fetch(`${server.url}${prefix}/sub/`);
    assert.match(await sub.text(), /sub index/);
    const bare = await fetch(`${server.url}${prefix}/sub?x=1`, {
      redirect: "manual",
    });
    await bare.body?.cancel();
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get("location"), `${prefix}/sub/?x=1`);
  }
});

Deno.test("createStaticService() answers 304 to a matching If-None-Match or If-Modified-Since", async () => {
  await using server = serveStatic();
  const first = await fetch(server.url + "/hello.txt");
  await first.body?.cancel();
  const etag = first.headers.get("etag")!;
  const lastModified = first.headers.get("last-modified")!;
  assert.match(etag, /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
  const byTag = await fetch(server.url + "/hello.txt", {
    headers: { "if-none-match": `"other", ${etag}` },
  });
  assert.equal(byTag.status, 304);
  assert.equal(await byTag.text(), "");
  assert.equal(byTag.headers.get("etag"), etag);
  const byDate = await fetch(server.url + "/hello.txt", {
    headers: { "if-modified-since": lastModified },
  });
  await byDate.body?.cancel();
  assert.equal(byDate.status, 304);
  const stale = await fetch(server.url + "/hello.txt", {
    headers: { "if-none-match": '"nope"', "if-modified-since": lastModified },
  });
  assert.equal(stale.status, 200);
  assert.equal(await stale.text(), "Hello, static world!\n");
  const old = await fetch(server.url + "/hello.txt", {
    headers: { "if-modified-since": new Date(0).toUTCString() },
  });
  assert.equal(old.status, 200);
  await old.body?.cancel();
});

Deno.test("createStaticService() answers single ranges with 206 and bad ones with 416", async () => {
  await using server = serveStatic();
  const get = (range: string) =>
    fetch(server.url + "/hello.txt", { headers: { range } });
  const head = await get("bytes=0-4");
  assert.equal(head.status, 206);
  assert.equal(head.headers.get("content-range"), "bytes 0-4/21");
  assert.equal(await head.text(), "Hello");
  const tail = await get("bytes=-7");
  assert.equal(tail.status, 206);
  assert.equal(await tail.text(), "world!\n");
  const open = await get("bytes=14-");
  assert.equal(await open.text(), "world!\n");
  const past = await get("bytes=100-");
  assert.equal(past.status, 416);
  assert.equal(past.headers.get("content-range"), "bytes */21");
  await past.body?.cancel();
  const multi = await get("bytes=0-1,3-4");
  assert.equal(multi.status, 200);
  assert.equal(await multi.text(), "Hello, static world!\n");
  const stale = await fetch(server.url + "/hello.txt", {
    headers: {
      range: "bytes=0-4",
      "if-range": "Thu, 01 Jan 1970 00:00:00 GMT",
    },
  });
  assert.equal(stale.status, 200);
  await stale.body?.cancel();
});

Deno.test("createStaticService() answers HEAD with headers only and other methods with 405", async () => {
  await using server = serveStatic();
  const head = await fetch(server.url + "/hello.txt", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), "21");
  assert.equal(await head.text(), "");
  const post = await fetch(server.url + "/hello.txt", {
    method: "POST",
    body: "x",
  });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");
  await post.body?.cancel();
});

Deno.test("createStaticService() picks a precompressed sibling by Accept-Encoding", async () => {
  await using server = serveStatic();
  const get = (encoding: string, path = "/pre.txt") =>
    fetch(server.url + path, { headers: { "accept-encoding": encoding } });
  const br = await get("gzip, br");
  assert.equal(br.headers.get("content-encoding"), "br");
  assert.match(br.headers.get("vary") ?? "", /Accept-Encoding/);
  assert.equal(br.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(await br.text(), EXPECTED);
  const gzip = await get("gzip;q=1, br;q=0.5");
  assert.equal(gzip.headers.get("content-encoding"), "gzip");
  assert.equal(await gzip.text(), EXPECTED);
  assert.notEqual(br.headers.get("etag"), gzip.headers.get("etag"));
  const onlyGz = await get("br, gzip", "/onlygz.css");
  assert.equal(onlyGz.headers.get("content-encoding"), "gzip");
  assert.equal(onlyGz.headers.get("content-type"), "text/css; charset=utf-8");
  await onlyGz.body?.cancel();
  const identity = await get("identity");
  assert.equal(identity.headers.get("content-encoding"), null);
  assert.equal(identity.headers.get("content-length"), String(EXPECTED.length));
  assert.equal(await identity.text(), EXPECTED);
});

Deno.test("createStaticService() serves default_file for missing paths only", async () => {
  await using server = serveStatic({ default_file: "spa.html" });
  const deep = await fetch(server.url + "/app/some/deep/link");
  assert.equal(deep.status, 200);
  assert.match(await deep.text(), /spa shell/);
  const real = await fetch(server.url + "/hello.txt");
  assert.equal(await real.text(), "Hello, static world!\n");
  const hidden = await fetch(server.url + "/.secret");
  assert.equal(hidden.status, 404);
  await hidden.body?.cancel();
});

Deno.test("createStaticService() lists folders only when enable_directory_listing is on", async () => {
  {
    await using server = serveStatic();
    const off = await fetch(server.url + "/bare/");
    assert.equal(off.status, 404);
    await off.body?.cancel();
  }
  await using server = serveStatic({ enable_directory_listing: true });
  const on = await fetch(server.url + "/bare/");
  assert.equal(on.status, 200);
  assert.equal(on.headers.get("content-type"), "text/html; charset=utf-8");
  const html = await on.text();
  assert.match(html, /href="a\.txt"/);
  assert.match(html, /href="b\.txt"/);
  const root = await (await fetch(server.url + "/")).text();
  assert.match(root, /root index/);
});

Deno.test("createStaticService() escapes names in the listing and hides dotfiles", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "<img src=x>&.txt"), "x");
    await Deno.writeTextFile(join(dir, ".env"), "SECRET=1");
    await Deno.mkdir(join(dir, "folder"));
    const service = createStaticService(
      validateServiceConfig({
        type: "static",
        directory: dir,
        options: { enable_directory_listing: true },
      }),
      testEnv(),
    );
    await using server = serveService(service);
    const html = await (await fetch(server.url + "/")).text();
    assert.ok(!html.includes("<img"), html);
    assert.match(html, /&lt;img src=x&gt;&amp;\.txt/);
    assert.match(html, /href="%3Cimg%20src%3Dx%3E%26\.txt"/);
    assert.match(html, /href="folder\/"/);
    assert.ok(!html.includes(".env"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createStaticService() sends cache and CORS headers as Crossbar does", async () => {
  {
    await using server = serveStatic();
    const response = await fetch(server.url + "/hello.txt", {
      headers: { origin: "https://app.example" },
    });
    await response.body?.cancel();
    assert.equal(
      response.headers.get("cache-control"),
      "max-age=43200, public",
    );
    const expires = Date.parse(response.headers.get("expires")!);
    assert.ok(expires > Date.now() + 43000 * 1000);
    assert.equal(
      response.headers.get("access-control-allow-origin"),
      "https://app.example",
    );
    assert.equal(
      response.headers.get("access-control-allow-credentials"),
      "true",
    );
    const anon = await fetch(server.url + "/hello.txt");
    await anon.body?.cancel();
    assert.equal(anon.headers.get("access-control-allow-origin"), "*");
  }
  await using server = serveStatic({ cache_timeout: null });
  const none = await fetch(server.url + "/hello.txt");
  await none.body?.cancel();
  assert.equal(none.headers.get("cache-control"), null);
  assert.equal(none.headers.get("expires"), null);
});

Deno.test("createStaticService() hides dotfiles but serves .well-known", async () => {
  await using server = serveStatic();
  const secret = await fetch(server.url + "/.secret");
  assert.equal(secret.status, 404);
  await secret.body?.cancel();
  const acme = await fetch(server.url + "/.well-known/acme.txt");
  assert.equal(acme.status, 200);
  assert.equal(await acme.text(), "acme\n");
});

Deno.test("createStaticService() answers 404 for missing files and a missing folder", async () => {
  {
    await using server = serveStatic();
    const missing = await fetch(server.url + "/nope.txt");
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "404 Not Found\n");
    const slash = await fetch(server.url + "/hello.txt/");
    assert.equal(slash.status, 404);
    await slash.body?.cancel();
  }
  await using server = serveStatic({}, "", "no-such-folder");
  const response = await fetch(server.url + "/x");
  assert.equal(response.status, 404);
  await response.body?.cancel();
});

Deno.test("createStaticService() rejects the Python package form", () => {
  assert.throws(
    () =>
      createStaticService(
        // Built in code, past the schema, which would refuse it first.
        {
          type: "static",
          package: "p",
          resource: "r",
        } as unknown as Parameters<
          typeof createStaticService
        >[0],
        testEnv(),
      ),
    TypeError,
  );
});
