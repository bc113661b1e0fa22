import { resolve } from "node:path";
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { REPO_ROOT, startNodeDir } from "../_helpers/node.ts";
import { autobahnOpen } from "../app/_autobahn.ts";

Deno.test("examples/flask serves the seed's Flask page", async () => {
  await using node = await startNodeDir(
    resolve(REPO_ROOT, "examples/flask/.crossbar"),
  );
  const response = await fetch(node.url + "/");
  assertStringIncludes(
    await response.text(),
    "<h1>Hello from Crossbar.io</h1>",
  );
});

Deno.test("examples/flask carries the seed's files unchanged", async () => {
  for (
    const file of [".crossbar/config.json", "myapp.py", "templates/index.html"]
  ) {
    assertEquals(
      await Deno.readTextFile(resolve(REPO_ROOT, "examples/flask", file)),
      await Deno.readTextFile(
        resolve(REPO_ROOT, "tests/testdata/flask/seed", file),
      ),
      file,
    );
  }
});

Deno.test("examples/components: the router component answers calls", async () => {
  await using node = await startNodeDir(
    resolve(REPO_ROOT, "examples/components/.crossbar"),
  );
  const ws = node.url.replace(/^http/, "ws") + "/ws";
  await using client = await autobahnOpen(ws);
  assertEquals(await client.session.call("com.example.add2", [2, 3]), 5);
  assertStringIncludes(
    await client.session.call("com.example.greet", ["Ada"]),
    "Hello, Ada",
  );
});
