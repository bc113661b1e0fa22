import assert from "node:assert/strict";
import { get, hostApp } from "./_setup.ts";

interface Echo {
  method: string;
  url: string;
  pathname: string;
  search: string;
  prefix: string | null;
  headers: [string, string][];
  remote: { transport: string; hostname: string; port: number };
  body: string | null;
}

async function echo(url: string, init?: RequestInit): Promise<Echo> {
  const response = await fetch(url, init);
  assert.deepEqual(response.status, 200);
  return await response.json() as Echo;
}

Deno.test("createWsgiService() strips the mount prefix and sets X-Forwarded-Prefix", async () => {
  await using app = await hostApp({ prefix: "/app" });
  const deep = await echo(`${app.url}/a/b?x=1&y=2`);
  assert.deepEqual(deep.pathname, "/a/b");
  assert.deepEqual(deep.search, "?x=1&y=2");
  assert.deepEqual(deep.prefix, "/app");
  assert.deepEqual(new URL(deep.url).host, new URL(app.origin).host);
  const bare = await echo(app.url);
  assert.deepEqual(bare.pathname, "/");
  assert.deepEqual(bare.prefix, "/app");
});

Deno.test("createWsgiService() gives the root app the full path and no prefix", async () => {
  await using app = await hostApp({ prefix: "" });
  const seen = await echo(`${app.origin}/x/y?q=1`, {
    headers: { "x-forwarded-prefix": "/spoofed" },
  });
  assert.deepEqual(seen.pathname, "/x/y");
  assert.deepEqual(seen.search, "?q=1");
  assert.deepEqual(seen.prefix, null);
});

Deno.test("createWsgiService() passes method, headers, body and client address", async () => {
  await using app = await hostApp();
  const headers = new Headers();
  headers.append("x-multi", "one");
  headers.append("x-multi", "two");
  headers.set("content-type", "text/plain");
  const seen = await echo(`${app.url}/post`, {
    method: "PUT",
    headers,
    body: "hello body",
  });
  assert.deepEqual(seen.method, "PUT");
  assert.deepEqual(seen.body, "hello body");
  const multi = seen.headers.find(([k]) => k === "x-multi");
  assert.deepEqual(multi?.[1], "one, two");
  assert.deepEqual(seen.remote.hostname, "127.0.0.1");
  assert.deepEqual(seen.remote.transport, "tcp");
  assert.ok(seen.remote.port > 0);
});

Deno.test("createWsgiService() returns repeated response headers such as set-cookie", async () => {
  await using app = await hostApp();
  const response = await fetch(`${app.url}/cookies`);
  await response.body?.cancel();
  assert.deepEqual(response.headers.getSetCookie(), [
    "a=1; Path=/",
    "b=2; Path=/",
  ]);
});

Deno.test("createWsgiService() keeps module state in the worker across requests", async () => {
  await using app = await hostApp({ workers: 1 });
  const counts = [];
  for (let i = 0; i < 3; i++) {
    counts.push((await get(`${app.url}/counter`)).text);
  }
  assert.deepEqual(counts, ["1", "2", "3"]);
});

Deno.test("createWsgiService() hosts an unmodified Hono app with routes and params", async () => {
  await using app = await hostApp({ module: "hono_app", object: "app" });
  assert.deepEqual((await get(`${app.url}/`)).text, "hono root");
  const user = await fetch(`${app.url}/users/42?q=z`);
  assert.deepEqual(await user.json(), { id: "42", q: "z" });
  const created = await fetch(`${app.url}/items`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ n: 1 }),
  });
  assert.deepEqual(created.status, 201);
  assert.deepEqual(await created.json(), { got: { n: 1 } });
  assert.deepEqual((await get(`${app.url}/addr`)).text, "127.0.0.1");
  assert.deepEqual((await get(`${app.url}/missing`)).status, 404);
});

Deno.test("createWsgiService() hosts an `export default { fetch }` object", async () => {
  await using app = await hostApp({
    module: "fetch_object",
    object: "default",
  });
  assert.deepEqual((await get(`${app.url}/p/q`)).text, "fetch object saw /p/q");
});

Deno.test("createWsgiService() carries bodies of every size both ways", async () => {
  await using app = await hostApp();
  // Inline in the ring, one transferred chunk, streamed with credit.
  for (const size of [0, 100_000, 700_000, 3_000_000]) {
    const big = await fetch(`${app.url}/big?size=${size}`);
    const bytes = await big.bytes();
    assert.equal(bytes.byteLength, size);
    assert.ok(bytes.every((b) => b === 97));
    const payload = new Uint8Array(size).map((_, i) => i % 251);
    const echoed = await fetch(`${app.url}/echo`, {
      method: "POST",
      body: payload,
    });
    assert.equal(echoed.headers.get("x-echo"), "1");
    assert.deepEqual(await echoed.bytes(), payload, `echo of ${size} bytes`);
  }
});

Deno.test("createWsgiService() answers 500 when the app returns no Response", async () => {
  await using app = await hostApp();
  const res = await get(`${app.url}/not-a-response`);
  assert.deepEqual(res.status, 500);
  assert.ok(app.lines.some((l) => l.includes("instead of a Response")));
});

Deno.test("createWsgiService() serves many concurrent requests on a pool", async () => {
  await using app = await hostApp({ workers: 2 });
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) => echo(`${app.url}/n/${i}?i=${i}`)),
  );
  results.forEach((r, i) => assert.deepEqual(r.search, `?i=${i}`));
  assert.match(results[0]!.url, /^http:\/\/127\.0\.0\.1:\d+\/n\/0\?i=0$/);
});
