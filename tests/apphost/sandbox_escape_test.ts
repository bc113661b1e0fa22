/**
 * Issue 13, "Escapes": each attack app tries to break out of its sandbox
 * on a real node, over the wire.
 */
import { resolve } from "node:path";
import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { makeCertificates } from "../_helpers/tls.ts";
import {
  failedToStart,
  fetchText,
  startAttackNode,
  started,
  wsgi,
} from "./_node.ts";

Deno.test("an app cannot signal the node, nor undo the guard", async () => {
  await using node = await startAttackNode({
    apps: ["signals.ts", "hello.ts"],
    paths: { "/": wsgi("signals.ts"), "hello": wsgi("hello.ts") },
  });
  await started(node);
  const { status, text } = await fetchText(`${node.origin}/`);
  assertEquals(status, 200, text);
  const results = JSON.parse(text) as Record<string, string>;
  for (const [attempt, outcome] of Object.entries(results)) {
    assert(outcome.startsWith("refused"), `${attempt}: ${outcome}`);
  }
  // Still serving: the node got no signal.
  assertEquals((await fetchText(`${node.origin}/hello/`)).text, "hello\n");
});

Deno.test("apps get no CacheStorage: no shared store, no ungranted disk writes", async () => {
  await using node = await startAttackNode({
    apps: ["storage.ts"],
    paths: { "a": wsgi("storage.ts"), "b": wsgi("storage.ts") },
  });
  await started(node);
  const put = await fetchText(`${node.origin}/a/?key=s`, {
    method: "PUT",
    body: "secret of a",
  });
  assertEquals(put.status, 403, put.text);
  assertStringIncludes(put.text, "refused: ReferenceError");
  const read = await fetchText(`${node.origin}/b/?key=s`);
  assertEquals(read.status, 403, read.text);
});

Deno.test("an app cannot read the node directory next to it", async () => {
  await using node = await startAttackNode({
    apps: ["reader.ts"],
    paths: { "/": wsgi("reader.ts") },
  });
  await started(node);
  const config = await fetchText(`${node.origin}/?path=.crossbar/config.json`);
  assertEquals(config.status, 403, config.text);
  assertStringIncludes(config.text, "NotCapable");
  // Its own folder stays readable.
  const own = await fetchText(`${node.origin}/?path=reader.ts`);
  assertEquals(own.status, 200);
  assertStringIncludes(own.text, "Attack app");
});

Deno.test("the TLS key and certificate named by the config are not readable, even outside the node directory", async () => {
  await using node = await startAttackNode({
    apps: ["reader.ts"],
    paths: { "/": wsgi("reader.ts") },
    prepare: async (dir) => {
      // The key and certificate sit in the app's folder, not in .crossbar/.
      await makeCertificates(dir);
      const configPath = resolve(dir, ".crossbar/config.json");
      const config = JSON.parse(await Deno.readTextFile(configPath));
      config.workers[0].transports[0].endpoint.tls = {
        key: "../key.pem",
        certificate: "../cert.pem",
      };
      await Deno.writeTextFile(configPath, JSON.stringify(config));
    },
  });
  await started(node);
  const client = Deno.createHttpClient({
    caCerts: [await Deno.readTextFile(resolve(node.dir, "ca.pem"))],
  });
  const origin = node.origin.replace("http://127.0.0.1", "https://localhost");
  for (const file of ["key.pem", "cert.pem"]) {
    const response = await fetch(`${origin}/?path=${file}`, { client });
    assertEquals(response.status, 403, file);
    assertStringIncludes(await response.text(), "NotCapable");
  }
  // Other files of the folder stay readable.
  const ca = await fetch(`${origin}/?path=ca.pem`, { client });
  assertEquals(ca.status, 200);
  await ca.body?.cancel();
  client.close();
});

Deno.test("a symbolic link out of the app's folder stops the app from starting, naming the link", async () => {
  await using node = await startAttackNode({
    apps: ["reader.ts"],
    paths: { "/": wsgi("reader.ts") },
    prepare: (dir) => Deno.symlink("/etc/passwd", resolve(dir, "passwd")),
  });
  const log = await failedToStart(node);
  assertStringIncludes(log, `${node.dir}/passwd`);
  assertStringIncludes(log, "/etc/passwd");
});

Deno.test("a symbolic link to the node directory stops the app from starting", async () => {
  await using node = await startAttackNode({
    apps: ["reader.ts"],
    paths: { "/": wsgi("reader.ts") },
    prepare: (dir) =>
      Deno.symlink(resolve(dir, ".crossbar"), resolve(dir, "cfg")),
  });
  const log = await failedToStart(node);
  assertStringIncludes(log, `${node.dir}/cfg`);
});

Deno.test("a link whose target the config grants explicitly is allowed", async () => {
  await using node = await startAttackNode({
    apps: ["reader.ts"],
    paths: {
      "/": wsgi("reader.ts", { permissions: { read: ["../data"] } }),
    },
    prepare: async (dir) => {
      await Deno.mkdir(resolve(dir, "data"));
      await Deno.writeTextFile(resolve(dir, "data/x.txt"), "granted data\n");
      await Deno.mkdir(resolve(dir, "elsewhere"));
      await Deno.writeTextFile(resolve(dir, "elsewhere/y.txt"), "y\n");
      await Deno.symlink(resolve(dir, "elsewhere"), resolve(dir, "data/link"));
    },
  });
  // data/link leads outside the grant (elsewhere/ is in the app folder,
  // which is granted): allowed because elsewhere/ is granted too.
  await started(node);
  const read = await fetchText(`${node.origin}/?path=data/x.txt`);
  assertEquals(read.text, "granted data\n");
});

Deno.test("host paths stay hidden: Deno.cwd(), process.cwd() and execPath need read access", async () => {
  await using node = await startAttackNode({
    apps: ["reveal.ts"],
    paths: { "/": wsgi("reveal.ts") },
  });
  await started(node);
  const facts = JSON.parse((await fetchText(`${node.origin}/`)).text) as Record<
    string,
    string
  >;
  for (const [fact, outcome] of Object.entries(facts)) {
    assertEquals(outcome, "refused: NotCapable", fact);
  }
});

Deno.test("garbage in the host's ring and forged control messages replace only that worker", async () => {
  await using node = await startAttackNode({
    apps: ["ringforge.ts", "hello.ts"],
    paths: {
      "/": wsgi("ringforge.ts", { workers: 1 }),
      "hello": wsgi("hello.ts"),
    },
  });
  await started(node);
  for (const mode of ["ring", "string", "crash", "unknown", "credit", "id"]) {
    const { status } = await fetchText(`${node.origin}/?mode=${mode}`);
    assertEquals(status, 502, mode);
    assertEquals((await fetchText(`${node.origin}/hello/`)).text, "hello\n");
  }
  const log = node.cli.stderr();
  assertStringIncludes(log, "Corrupt ring record");
  assertStringIncludes(log, "protocol violation");
});
