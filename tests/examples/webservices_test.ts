import { resolve } from "node:path";
import autobahn from "autobahn";
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { REPO_ROOT, startNodeDir } from "../_helpers/node.ts";

autobahn.log.warn = () => {};

Deno.test("examples/webservices serves files, JSON, a redirect, an app and a publisher", async () => {
  await using node = await startNodeDir(
    resolve(REPO_ROOT, "examples/webservices/.crossbar"),
  );
  const page = await fetch(node.url + "/");
  assertStringIncludes(page.headers.get("content-type") ?? "", "text/html");
  assertStringIncludes(await page.text(), "Web services demo");
  const fallback = await fetch(node.url + "/some/deep/link");
  assertEquals(fallback.status, 200);
  assertStringIncludes(await fallback.text(), '<h1 id="title">');

  const config = await fetch(node.url + "/config");
  assertEquals((await config.json()).topic, "com.example.news");
  assertStringIncludes(config.headers.get("cache-control") ?? "", "no-cache");

  const moved = await fetch(node.url + "/old/page", { redirect: "manual" });
  assertEquals(moved.status, 302);
  assertEquals(moved.headers.get("location"), "/app/");
  await moved.body?.cancel();

  assertEquals((await (await fetch(node.url + "/app/")).json()).app, "hello");

  // A WAMP subscriber receives what is POSTed to the publisher.
  const received = Promise.withResolvers<unknown[]>();
  const connection = new autobahn.Connection({
    url: node.url.replace("http:", "ws:") + "/ws",
    realm: "realm1",
    max_retries: 0,
  });
  const closed = Promise.withResolvers<void>();
  connection.onclose = () => {
    closed.resolve();
    return true;
  };
  const session = await new Promise<
    { subscribe: (...a: unknown[]) => Promise<unknown> }
  >(
    (ok) => {
      connection.onopen = ok;
      connection.open();
    },
  );
  await session.subscribe(
    "com.example.news",
    (args: unknown[]) => received.resolve(args),
  );
  const posted = await fetch(node.url + "/notify", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ topic: "com.example.news", args: ["from HTTP"] }),
  });
  assertEquals(posted.status, 200);
  assertEquals(typeof (await posted.json()).id, "number");
  assertEquals(await received.promise, ["from HTTP"]);

  // The bridge's role may publish news and nothing else.
  const denied = await fetch(node.url + "/notify", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ topic: "com.example.other", args: [] }),
  });
  assertEquals((await denied.json()).error, "wamp.error.not_authorized");

  const info = await fetch(node.url + "/info");
  assertStringIncludes(await info.text(), "realm1");
  connection.close();
  await closed.promise;
});
