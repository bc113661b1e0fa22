import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "../_helpers/assert.ts";
import {
  findProjectConfig,
  nodeImportMap,
  ProjectConfigError,
  readProjectImportMap,
} from "../../lib/launcher/project.ts";
import { nodeDenoArgs } from "../../lib/launcher/mod.ts";

async function withProject(
  files: Record<string, string>,
  body: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cb-project-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.mkdir(join(dir, name, ".."), { recursive: true });
      await Deno.writeTextFile(join(dir, name), text);
    }
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("findProjectConfig() finds the nearest deno.json(c) above the node directory", async () => {
  await withProject({
    "deno.jsonc": "{}",
    "sub/.crossbar/config.json": "{}",
  }, async (dir) => {
    assertEquals(
      await findProjectConfig(join(dir, "sub", ".crossbar")),
      join(dir, "deno.jsonc"),
    );
  });
});

Deno.test("readProjectImportMap() makes relative addresses and scopes absolute, reads JSONC", async () => {
  await withProject({
    "deno.jsonc": `{
      // a comment
      "imports": { "zod": "npm:zod@3", "@/": "./src/", "up": "../x.ts", },
      "scopes": { "./vendor/": { "a": "./a.ts" } },
    }`,
  }, async (dir) => {
    const base = pathToFileURL(dir).href;
    const map = await readProjectImportMap(join(dir, "deno.jsonc"));
    assertEquals(map.imports, {
      zod: "npm:zod@3",
      "@/": `${base}/src/`,
      up: new URL("../x.ts", base + "/").href,
    });
    assertEquals(map.scopes, { [`${base}/vendor/`]: { a: `${base}/a.ts` } });
  });
});

Deno.test("readProjectImportMap() follows importMap and reports a broken file", async () => {
  await withProject({
    "deno.json": `{ "importMap": "./maps/import_map.json" }`,
    "maps/import_map.json": `{ "imports": { "lib/": "./lib/" } }`,
    "broken/deno.json": `{ "imports": `,
  }, async (dir) => {
    const map = await readProjectImportMap(join(dir, "deno.json"));
    assertEquals(map.imports, {
      "lib/": pathToFileURL(join(dir, "maps", "lib")).href + "/",
    });
    await assertRejects(
      () => readProjectImportMap(join(dir, "broken", "deno.json")),
      ProjectConfigError,
      "Cannot parse",
    );
  });
});

Deno.test("nodeImportMap() adds crossbar/app and scopes the node's own imports to its folder", () => {
  const map = nodeImportMap({
    project: {
      imports: { zod: "npm:zod@3", "crossbar/app": "./mine.ts" },
      scopes: {},
    },
    nodeRoot: "file:///opt/node/",
    nodeImports: {
      valibot: "npm:valibot@^1",
      "crossbar/app": "./lib/app/mod.ts",
      local: "./lib/x.ts",
    },
  });
  assertEquals(map.imports, {
    zod: "npm:zod@3",
    "crossbar/app": "file:///opt/node/lib/app/mod.ts",
  });
  assertEquals(map.scopes, {
    "file:///opt/node/": {
      valibot: "npm:valibot@^1",
      local: "file:///opt/node/lib/x.ts",
    },
  });
});

Deno.test("nodeDenoArgs() uses the project's deno.json for start, none for init", async () => {
  await withProject({ "deno.json": "{}" }, async (dir) => {
    const start = await nodeDenoArgs(["start"], { cwd: dir, env: {} });
    const at = start.indexOf("--config");
    assertEquals(start[at + 1], join(dir, "deno.json"));
    const init = await nodeDenoArgs(["init"], { cwd: dir, env: {} });
    assertEquals(init.includes("--no-config"), true);
  });
});
