/**
 * Issue 13, "The node must survive its apps": out of memory, forged
 * messages and an ignored credit window cost only the app's worker, on a
 * real node, over the wire.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { fetchText, startAttackNode, started, wsgi } from "./_node.ts";

Deno.test("an app that exhausts its heap costs only its worker", async () => {
  await using node = await startAttackNode({
    apps: ["oom.ts", "hello.ts"],
    paths: {
      "/": wsgi("oom.ts", { max_memory: 64, workers: 1 }),
      "hello": wsgi("hello.ts"),
    },
  });
  await started(node);
  const grow = await fetchText(`${node.origin}/grow`);
  assertEquals(grow.status, 502);
  await node.cli.waitForLine(/ran out of memory.*64 MiB/);
  // The other path never stopped, and the replaced worker serves again.
  assertEquals((await fetchText(`${node.origin}/hello/`)).text, "hello\n");
  assertEquals((await fetchText(`${node.origin}/`)).text, "alive\n");
  // And again: each exhaustion costs one worker only.
  assertEquals((await fetchText(`${node.origin}/grow`)).status, 502);
  assertEquals((await fetchText(`${node.origin}/`)).text, "alive\n");
});

Deno.test("forged body chunks beyond the credit window replace the worker, the node keeps serving", async () => {
  await using node = await startAttackNode({
    apps: ["forge.ts", "hello.ts"],
    paths: { "/": wsgi("forge.ts"), "hello": wsgi("hello.ts") },
  });
  await started(node);
  // The client reads nothing: only the first window may be accepted.
  const response = await fetch(`${node.origin}/?mode=credit`);
  assertEquals(response.status, 200);
  await node.cli.waitForLine(
    /protocol violation: body chunk beyond the granted credit/,
  );
  await response.body?.cancel().catch(() => {});
  assertEquals((await fetchText(`${node.origin}/hello/`)).text, "hello\n");
});

Deno.test("a forged chunk whose buffer is -1 replaces the worker, the node keeps serving", async () => {
  await using node = await startAttackNode({
    apps: ["forge.ts", "hello.ts"],
    paths: { "/": wsgi("forge.ts"), "hello": wsgi("hello.ts") },
  });
  await started(node);
  const response = await fetch(`${node.origin}/?mode=invalid`);
  try {
    await response.body?.cancel();
  } catch {
    // cut
  }
  await node.cli.waitForLine(
    /protocol violation: message "chunk" with a chunk/,
  );
  assertEquals((await fetchText(`${node.origin}/hello/`)).text, "hello\n");
  const again = await fetch(`${node.origin}/?mode=credit`);
  assertEquals(again.status, 200);
  await again.body?.cancel();
});
