import { resolve } from "node:path";
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { freePort, REPO_ROOT, runCli, spawnCli } from "../_helpers/node.ts";

async function withTmpDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("main.ts version prints the node and Deno versions", async () => {
  const { code, stdout } = await runCli(["version"]);
  assertEquals(code, 0);
  assertMatch(stdout, /^crossbar-deno \d+\.\d+\.\d+\ndeno 2\./);
});

Deno.test("main.ts rejects an unknown command with exit code 2", async () => {
  const { code, stderr } = await runCli(["frobnicate"]);
  assertEquals(code, 2);
  assertStringIncludes(stderr, 'Unknown command "frobnicate"');
  assertStringIncludes(stderr, "Usage:");
});

Deno.test("main.ts check accepts the seed example and loads its app", async () => {
  const { code, stdout } = await runCli([
    "check",
    "--cbdir",
    "examples/wsgi/.crossbar",
  ]);
  assertEquals(code, 0, stdout);
  assertStringIncludes(stdout, "Checking local node configuration file:");
  assertStringIncludes(stdout, "Ok, node configuration looks good!");
});

Deno.test("main.ts check reports config errors with file:line:column", async () => {
  await withTmpDir(async (dir) => {
    await Deno.writeTextFile(
      resolve(dir, "config.json"),
      `{
  "version": 2,
  "workers": [
    {
      "type": "router",
      "transports": [
        {
          "type": "web",
          "endpoint": { "type": "tcp", "port": 8080 },
          "paths": { "/": { "type": "wsgii", "module": "m", "object": "a" } }
        }
      ]
    }
  ]
}
`,
    );
    const { code, stdout } = await runCli(["check", "--cbdir", dir]);
    assertEquals(code, 1);
    assertStringIncludes(
      stdout,
      `config.json:10:37: workers[0].transports[0].paths["/"].type`,
    );
    assertStringIncludes(stdout, '"wsgii"');
    assert(!stdout.includes("    at "), "no stack trace");
  });
});

Deno.test("main.ts check reports an app module that cannot be found", async () => {
  await withTmpDir(async (dir) => {
    await Deno.writeTextFile(
      resolve(dir, "config.json"),
      JSON.stringify({
        version: 2,
        workers: [{
          type: "router",
          options: { pythonpath: [".."] },
          transports: [{
            type: "web",
            endpoint: { type: "tcp", port: 8080 },
            paths: {
              "/": { type: "wsgi", module: "nosuchapp", object: "app" },
            },
          }],
        }],
      }),
    );
    const { code, stdout } = await runCli(["check", "--cbdir", dir]);
    assertEquals(code, 1);
    assertStringIncludes(stdout, "nosuchapp");
    assertStringIncludes(stdout, "nosuchapp.ts");
  });
});

Deno.test("main.ts start refuses an invalid config with exit code 1", async () => {
  await withTmpDir(async (dir) => {
    await Deno.writeTextFile(
      resolve(dir, "config.json"),
      `{"version": 2, "workers": [], "processes": []}`,
    );
    await using cli = spawnCli(["start", "--cbdir", dir]);
    assertEquals((await cli.status).code, 1);
    assertStringIncludes(cli.stderr(), "Invalid node configuration");
    assertStringIncludes(cli.stderr(), "config.json:1:");
    assertStringIncludes(cli.stderr(), "processes");
  });
});

Deno.test("main.ts init writes a node that start serves at once", async () => {
  await withTmpDir(async (dir) => {
    const init = await runCli(["init", "--appdir", dir]);
    assertEquals(init.code, 0, init.stdout);
    const configPath = resolve(dir, ".crossbar/config.json");
    const config = JSON.parse(await Deno.readTextFile(configPath));
    const port = freePort();
    config.workers[0].transports[0].endpoint.port = port;
    await Deno.writeTextFile(configPath, JSON.stringify(config));
    const again = await runCli(["init", "--appdir", dir]);
    assertEquals(again.code, 1);
    assertStringIncludes(again.stdout, "already exists");

    await using cli = spawnCli(["start", "--cbdir", resolve(dir, ".crossbar")]);
    await cli.waitForLine(/Node started/);
    assertStringIncludes(cli.stderr(), `listening on http://`);
    assertMatch(cli.stderr(), /\/ws\s+websocket/);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assertStringIncludes(await page.text(), "Hello from your Deno node");
    const info = await fetch(`http://127.0.0.1:${port}/info`);
    assertEquals(info.status, 200);
    await info.body?.cancel();
    cli.kill("SIGTERM");
    assertEquals((await cli.status).code, 0);
    assertStringIncludes(cli.stderr(), "Node stopped");
  });
});

Deno.test("main.ts start lets in-flight requests finish on SIGTERM", async () => {
  await withTmpDir(async (dir) => {
    const port = freePort();
    await Deno.copyFile(
      resolve(REPO_ROOT, "tests/testdata/node/apps/slow.ts"),
      resolve(dir, "slow.ts"),
    );
    await Deno.writeTextFile(
      resolve(dir, "config.json"),
      JSON.stringify({
        version: 2,
        workers: [{
          type: "router",
          transports: [{
            type: "web",
            endpoint: { type: "tcp", port, interface: "127.0.0.1" },
            paths: {
              "/": { type: "wsgi", module: "./slow.ts", object: "slow" },
            },
          }],
        }],
      }),
    );
    await using cli = spawnCli(["start", "--cbdir", dir]);
    await cli.waitForLine(/Node started/);
    const inFlight = fetch(`http://127.0.0.1:${port}/?ms=1500`);
    // Give the request time to reach the app before the signal.
    await new Promise((r) => setTimeout(r, 300));
    cli.kill("SIGTERM");
    const response = await inFlight;
    assertEquals(response.status, 200);
    assertEquals(await response.text(), "slept 1500 ms\n");
    assertEquals((await cli.status).code, 0);
    await assertRefused(`http://127.0.0.1:${port}/`);
  });
});

async function assertRefused(url: string) {
  try {
    const response = await fetch(url);
    await response.body?.cancel();
  } catch {
    return;
  }
  throw new Error(`${url} still answers after the node stopped`);
}
