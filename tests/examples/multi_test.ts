import { resolve } from "node:path";
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { REPO_ROOT, startNodeDir } from "../_helpers/node.ts";

Deno.test("examples/multi serves two apps with their own permissions", async () => {
  Deno.env.set("GREETING", "hello from the node's environment");
  await using node = await startNodeDir(
    resolve(REPO_ROOT, "examples/multi/.crossbar"),
  );
  const page = await (await fetch(node.url + "/")).text();
  assertStringIncludes(page, "Reading GREETING from here: denied (NotCapable)");
  assertStringIncludes(
    page,
    "Reading data/items.json from here: denied (NotCapable)",
  );

  const greeting = await (await fetch(node.url + "/api/greeting")).json();
  assertEquals(greeting, { greeting: "hello from the node's environment" });
  const items = await (await fetch(node.url + "/api/items")).json();
  assertEquals(items.length, 2);

  const secret = await fetch(node.url + "/api/secret");
  assertEquals(secret.status, 500);
  await secret.body?.cancel();
});
