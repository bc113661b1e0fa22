/**
 * An app whose top-level code never finishes loading: `check` and `start`
 * fail within the path's `load_timeout`, naming the module, instead of
 * hanging.
 */
import { resolve } from "node:path";
import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { REPO_ROOT } from "../_helpers/node.ts";

const HANGING_APP = `
// Top-level code that never settles (a timer keeps the worker alive).
await new Promise(() => setInterval(() => {}, 1000));
export default () => new Response("never");
`;

async function project(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(resolve(dir, ".crossbar"));
  await Deno.writeTextFile(resolve(dir, "hang.ts"), HANGING_APP);
  await Deno.writeTextFile(
    resolve(dir, ".crossbar/config.json"),
    JSON.stringify({
      version: 2,
      workers: [{
        type: "router",
        options: { pythonpath: [".."] },
        transports: [{
          type: "web",
          endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
          paths: {
            "/": {
              type: "wsgi",
              module: "hang",
              object: "default",
              load_timeout: 1,
            },
          },
        }],
      }],
    }),
  );
  return dir;
}

for (const command of ["check", "start"]) {
  Deno.test(`main.ts ${command} fails on an app that never finishes loading, naming it`, async () => {
    const dir = await project();
    try {
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          resolve(REPO_ROOT, "main.ts"),
          command,
          "--cbdir",
          resolve(dir, ".crossbar"),
        ],
        env: { NO_COLOR: "1" },
        stdin: "null",
      }).output();
      const text = new TextDecoder().decode(output.stdout) +
        new TextDecoder().decode(output.stderr);
      assertEquals(output.code, 1, text);
      assertStringIncludes(text, '"hang"');
      assertStringIncludes(text, "did not finish loading within 1 s");
      assert(!text.includes("    at "), "no stack trace");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
