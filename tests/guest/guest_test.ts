import { resolve } from "node:path";
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { webRouter } from "../_helpers/config.ts";
import { recordLog } from "../_helpers/log_recorder.ts";
import { freePort, REPO_ROOT } from "../_helpers/node.ts";
import { autobahnOpen } from "../app/_autobahn.ts";
import { hostNode } from "../../lib/node/mod.ts";

const CBDIR = resolve(REPO_ROOT, "tests/testdata/guest/.crossbar");

Deno.test("a guest worker running an autobahn-python component joins and answers calls", async () => {
  const port = freePort();
  const { logger, waitFor } = recordLog();
  await using node = await hostNode({
    version: 2,
    workers: [
      webRouter({ ws: { type: "websocket" } }, { port }),
      {
        type: "guest",
        id: "backend",
        executable: "/usr/bin/python3",
        // The example's own backend, run as the example runs it.
        arguments: [resolve(REPO_ROOT, "examples/guest/backend.py")],
        options: {
          workdir: "../app",
          env: {
            inherit: ["PATH"],
            vars: { CBURL: `ws://127.0.0.1:${port}/ws`, CBREALM: "realm1" },
          },
        },
      },
    ],
  }, { cbdir: CBDIR, logger });
  // The guest's own output, logged under its id, says when it registered.
  await waitFor(/guest backend: procedure add2\(\) registered/);
  await using client = await autobahnOpen(`ws://127.0.0.1:${port}/ws`);
  assertEquals(await client.session.call("com.example.add2", [2, 40]), 42);
  await node.close();
  await waitFor(
    /guest backend: pid \d+ (was killed by SIGTERM|exited with code)/,
  );
});

Deno.test("a guest worker gets its JSON stdin, and its exit code is logged and restarts follow the policy", async () => {
  const { logger, lines, waitFor } = recordLog();
  await using _node = await hostNode({
    version: 2,
    workers: [{
      type: "guest",
      id: "echo",
      executable: "python3",
      arguments: ["json_stdin.py"],
      options: {
        workdir: "../app",
        env: { inherit: false, vars: { PATH: "/usr/bin" } },
        stdin: { type: "json", value: { hello: [1, 2] } },
        restart: { policy: "on-failure", delay: 0.05, max_delay: 1 },
      },
    }],
  }, { cbdir: CBDIR, logger });
  await waitFor(/guest echo: got \{"hello": \[1, 2\]\}/);
  await waitFor(/guest echo: restarting in 0\.05 s/);
  await waitFor(/guest echo: restarting in 0\.1 s/);
  const log = lines.join("\n");
  assertStringIncludes(log, "exited with code 3");
  assertStringIncludes(log, 'started "/usr/bin/python3"');
});

Deno.test("a guest worker with watch is restarted when a watched file changes", async () => {
  const { logger, waitFor } = recordLog();
  const dir = await Deno.makeTempDir();
  try {
    await using _node = await hostNode({
      version: 2,
      workers: [{
        type: "guest",
        id: "watched",
        executable: "/usr/bin/python3",
        arguments: [
          "-c",
          "import sys; print('up', flush=True); sys.stdin.read()",
        ],
        options: {
          stdin: { type: "json", value: null, close: false },
          watch: { directories: [dir], action: "restart", timeout: 0.05 },
        },
      }],
    }, { cbdir: CBDIR, logger });
    await waitFor(/guest watched: up/);
    await Deno.writeTextFile(`${dir}/changed.txt`, "x");
    await waitFor(/guest watched: .*changed\.txt changed: restarting/);
    await waitFor(/guest watched: pid \d+ was killed by SIGTERM/);
    // Started a second time, and up again.
    await waitFor(/guest watched: started/, 2);
    await waitFor(/guest watched: up/, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
