/**
 * Configs that are too deep or too large: `main.ts check` answers with a
 * positioned error within a bounded time, never a stack overflow.
 */
import { resolve } from "node:path";
import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { runCli } from "../_helpers/node.ts";
import { validateConfig } from "../../lib/config/mod.ts";

async function check(configText: string) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(resolve(dir, "config.json"), configText);
    const { code, stdout, stderr } = await runCli(["check", "--cbdir", dir]);
    return { code, text: stdout + stderr };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const depth of [1_000, 1_000_000]) {
  Deno.test(`main.ts check refuses a config nested ${depth} deep with a position`, async () => {
    const head =
      '{\n  "version": 2,\n  "workers": [\n    { "type": "router", "options": { "extra": ';
    const { code, text } = await check(
      head + "[".repeat(depth) + "]".repeat(depth) + " } }\n  ]\n}\n",
    );
    assertEquals(code, 1, text);
    // The 101st "[" is the first one too deep: line 4, column 43 + 100.
    assertStringIncludes(
      text,
      "config.json:4:143: invalid JSON: values nested deeper than 100 levels",
    );
    assert(!/Maximum call stack| {4}at /.test(text), text);
  });
}

Deno.test("main.ts check refuses a config file over 4 MiB", async () => {
  const filler = "x".repeat(5 * 1024 * 1024);
  const { code, text } = await check(
    `{"version": 2, "workers": [], "x": "${filler}"}`,
  );
  assertEquals(code, 1, text);
  assertStringIncludes(text, "the configuration file is too large (5.0 MiB");
});

Deno.test("validateConfig() refuses a value nested 100,000 deep", () => {
  let deep: unknown = [];
  for (let i = 0; i < 100_000; i++) deep = [deep];
  let message = "";
  try {
    validateConfig({ version: 2, workers: [], extra: deep });
  } catch (error) {
    message = (error as Error).message;
  }
  assertStringIncludes(message, "nested deeper than 100 levels");
});
