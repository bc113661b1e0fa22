/**
 * Every kind of start-up failure makes `start` exit 1 (instead of running on
 * with nothing served), with a message that says what is wrong; `check`
 * catches the cross-references that used to pass it.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../_helpers/assert.ts";
import {
  runMain,
  startFromCheckout,
  tempDir,
  webConfig,
  writeConfig,
} from "./_process.ts";

async function expectStartFails(
  setup: (dir: string) => Promise<void>,
  message: RegExp,
): Promise<void> {
  await using dir = await tempDir("cb-fail-");
  await setup(dir.path);
  const { code, output } = await runMain(
    ["start", "--cbdir", join(dir.path, ".crossbar")],
    dir.path,
  );
  assertEquals(code, 1, output);
  assert(message.test(output), `expected ${message} in:\n${output}`);
}

const APP = "export const app = () => new Response('ok');\n";

Deno.test("start exits 1: no config file", async () => {
  await expectStartFails(async () => {}, /config\.json/);
});

Deno.test("start exits 1: invalid config", async () => {
  await expectStartFails(async (dir) => {
    await writeConfig(dir, webConfig({ "/": { type: "wsgii" } }));
  }, /unknown path service type "wsgii"/);
});

Deno.test("start and check exit 1: a wsgi wamp.role that does not exist", async () => {
  await using dir = await tempDir("cb-fail-");
  await Deno.writeTextFile(join(dir.path, "app.ts"), APP);
  const cbdir = await writeConfig(
    dir.path,
    webConfig({
      "/": {
        type: "wsgi",
        module: "app",
        object: "app",
        wamp: { realm: "realm1", role: "backend" },
      },
    }),
  );
  for (const command of ["check", "start"]) {
    const { code, output } = await runMain(
      [command, "--cbdir", cbdir],
      dir.path,
    );
    assertEquals(code, 1, output);
    assert(
      /role "backend" is not a role of realm "realm1" \(roles: anonymous\)/
        .test(output),
      output,
    );
  }
});

Deno.test("start exits 1: a bridge service's role does not exist", async () => {
  await expectStartFails(async (dir) => {
    await writeConfig(
      dir,
      webConfig({
        pub: { type: "publisher", realm: "realm1", role: "nobody" },
      }),
    );
  }, /role "nobody" is not a role of realm "realm1"/);
});

Deno.test("start exits 1: an app that cannot be imported", async () => {
  await expectStartFails(async (dir) => {
    await Deno.writeTextFile(
      join(dir, "app.ts"),
      "import './missing.ts';\n" + APP,
    );
    await writeConfig(
      dir,
      webConfig({ "/": { type: "wsgi", module: "app", object: "app" } }),
    );
  }, /Could not start node/);
});

Deno.test("start exits 1: the port is taken", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await expectStartFails(async (dir) => {
    const config = webConfig({ "/": { type: "json", value: 1 } }) as {
      workers: [{ transports: [{ endpoint: { port: number } }] }];
    };
    config.workers[0].transports[0].endpoint.port = listener.addr.port;
    await writeConfig(dir, config);
  }, /address in use/);
});

Deno.test("start exits 1: a TLS key file is missing", async () => {
  await expectStartFails(async (dir) => {
    const config = webConfig({ "/": { type: "json", value: 1 } }) as {
      workers: [{ transports: [{ endpoint: Record<string, unknown> }] }];
    };
    config.workers[0].transports[0].endpoint.tls = {
      key: "missing.key",
      certificate: "missing.crt",
    };
    await writeConfig(dir, config);
  }, /Cannot read the TLS key/);
});

Deno.test("start exits 1: a node already runs from the node directory", async () => {
  await using dir = await tempDir("cb-fail-");
  const cbdir = await writeConfig(
    dir.path,
    webConfig({ "/": { type: "json", value: 1 } }),
  );
  await using first = startFromCheckout(["start", "--cbdir", cbdir], dir.path);
  await first.line(/Node started/);
  const { code, output } = await runMain(["start", "--cbdir", cbdir], dir.path);
  assertEquals(code, 1, output);
  assert(
    new RegExp(`A node is already running .* \\(pid ${first.pid}\\)`).test(
      output,
    ),
    output,
  );
  first.kill("SIGTERM");
  assertEquals((await first.status).code, 0);
});

Deno.test("a stale pid file (a pid not running the node) does not stop start", async () => {
  await using dir = await tempDir("cb-fail-");
  const cbdir = await writeConfig(
    dir.path,
    webConfig({ "/": { type: "json", value: 1 } }),
  );
  // This test process is alive, but it is no node.
  await Deno.writeTextFile(
    join(cbdir, "node.pid"),
    JSON.stringify({
      pid: Deno.pid,
      started: new Date().toISOString(),
      executable: Deno.execPath(),
    }),
  );
  await using node = startFromCheckout(["start", "--cbdir", cbdir], dir.path);
  await node.line(/Node started/);
  const record = JSON.parse(await Deno.readTextFile(join(cbdir, "node.pid")));
  assertEquals(record.pid, node.pid);
  node.kill("SIGTERM");
  assertEquals((await node.status).code, 0);
  // Removed on a clean stop.
  const left = await Deno.stat(join(cbdir, "node.pid")).then(
    () => true,
    () => false,
  );
  assertEquals(left, false);
});
