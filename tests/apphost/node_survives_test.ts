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

/** The node's thread that runs `node:worker_threads` thread `id`. */
function osThread(pid: number, id: string): string | undefined {
  for (const { name } of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      const comm = Deno.readTextFileSync(`/proc/${pid}/task/${name}/comm`);
      if (comm.trim() === `worker-${id}`) return name;
    } catch {
      // That thread ended meanwhile.
    }
  }
  return undefined;
}

/** CPU seconds (utime + stime) that OS thread `tid` of `pid` has used. */
function threadCpu(pid: number, tid: string): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/task/${tid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined; // gone
  }
}

Deno.test("a request stuck in a busy loop gets 504 after the path's timeout, its thread stops, the path serves on", async () => {
  await using node = await startAttackNode({
    apps: ["busy.ts"],
    paths: { "/": wsgi("busy.ts", { timeout: 1, workers: 1 }) },
  });
  await started(node);
  const spin = fetchText(`${node.origin}/spin`);
  const line = await node.cli.waitForLine(/busy app: spinning in thread/);
  const id = /thread (\d+)/.exec(line)![1]!;
  const tid = osThread(node.cli.pid, id);
  assertEquals(tid !== undefined, true, `no OS thread named worker-${id}`);
  assertEquals((await spin).status, 504);
  await node.cli.waitForLine(/not answered within 1 s/);
  assertEquals((await fetchText(`${node.origin}/`)).text, "not stuck\n");
  // The looping thread ends: its CPU time stops growing and it goes away
  // (polled on a bounded deadline; a thread still looping keeps growing).
  const deadline = Date.now() + 20_000;
  let used = threadCpu(node.cli.pid, tid!);
  while (used !== undefined && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    used = threadCpu(node.cli.pid, tid!);
  }
  assertEquals(used, undefined, `thread ${tid} still runs (${used} CPU s)`);
  node.cli.kill("SIGTERM");
  assertEquals((await node.cli.status).code, 0);
});

Deno.test("SIGTERM ends a node whose worker is stuck, after the grace period", async () => {
  await using node = await startAttackNode({
    apps: ["busy.ts"],
    paths: { "/": wsgi("busy.ts", { workers: 1 }) },
  });
  await started(node);
  const stuck = fetch(`${node.origin}/spin`).then(
    (r) => r.status,
    () => 0,
  );
  await node.cli.waitForLine(/busy app: spinning/);
  node.cli.kill("SIGTERM");
  assertEquals((await node.cli.status).code, 0);
  const status = await stuck;
  assertEquals(status === 0 || status >= 500, true, `status ${status}`);
});

Deno.test("an upload in flight at SIGTERM finishes within the grace period", async () => {
  await using node = await startAttackNode({
    apps: ["upload.ts"],
    paths: { "/": wsgi("upload.ts") },
  });
  await started(node);
  let next!: () => void;
  const chunk = new Uint8Array(64 * 1024).fill(120);
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (sent === 8) return controller.close();
      // The first chunk goes at once; the rest after the signal.
      if (sent === 1) await new Promise<void>((resolve) => next = resolve);
      sent++;
      controller.enqueue(chunk);
    },
  });
  const upload = fetch(`${node.origin}/`, {
    method: "POST",
    body,
    duplex: "half",
  } as RequestInit);
  await node.cli.waitForLine(/upload app: reading/);
  node.cli.kill("SIGTERM");
  await node.cli.waitForLine(/Shutting down/);
  next();
  const response = await upload;
  assertEquals(response.status, 200);
  assertEquals(await response.text(), `${8 * 64 * 1024} bytes\n`);
  assertEquals((await node.cli.status).code, 0);
});
