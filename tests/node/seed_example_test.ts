import { resolve } from "node:path";
import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { REPO_ROOT, startNodeDir } from "../_helpers/node.ts";

Deno.test("the seed example serves its rendered page at /", async () => {
  await using node = await startNodeDir(resolve(REPO_ROOT, ".crossbar"));
  const response = await fetch(node.url + "/");
  assertEquals(response.status, 200);
  assertStringIncludes(
    response.headers.get("content-type") ?? "",
    "text/html",
  );
  assertStringIncludes(
    await response.text(),
    "<h1>Hello from Crossbar.io</h1>",
  );
});

Deno.test("the seed example keeps module state in its worker", async () => {
  await using node = await startNodeDir(
    resolve(REPO_ROOT, "examples/wsgi/.crossbar"),
  );
  const counts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const text = await (await fetch(node.url + "/")).text();
    const match = text.match(/served (\d+) request/);
    assert(match, `no counter in ${text}`);
    counts.push(Number(match[1]));
  }
  // One request at a time keeps the pool at its first worker.
  assertEquals(counts, [counts[0]!, counts[0]! + 1, counts[0]! + 2]);
});

Deno.test("the repo root carries the examples/wsgi files unchanged", async () => {
  for (
    const file of [".crossbar/config.json", "myapp.ts", "templates/index.html"]
  ) {
    assertEquals(
      await Deno.readTextFile(resolve(REPO_ROOT, file)),
      await Deno.readTextFile(resolve(REPO_ROOT, "examples/wsgi", file)),
      `${file} differs from examples/wsgi/${file}`,
    );
  }
});

Deno.test("the seed's own config runs unmodified with a myapp.ts", async () => {
  await using node = await startNodeDir(
    resolve(REPO_ROOT, "tests/testdata/node/seed/.crossbar"),
  );
  const response = await fetch(node.url + "/anything");
  assertEquals(await response.text(), "<h1>Hello from Crossbar.io</h1>");
  // The websocket path is mounted: plain HTTP gets the status page.
  const ws = await fetch(node.url + "/ws");
  await ws.body?.cancel();
  assertEquals(ws.status, 200);
});
