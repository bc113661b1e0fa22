import { join } from "node:path";
import { ConfigError, resolveNodeDirectory } from "../../lib/config/mod.ts";
import { assertEquals, assertThrows } from "../_helpers/assert.ts";

async function withTmpDir(fn: (dir: string) => Promise<void> | void) {
  const dir = await Deno.makeTempDir({ prefix: "cbdir_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("resolveNodeDirectory() defaults to ./.crossbar/config.json", () => {
  assertEquals(resolveNodeDirectory({ cwd: "/srv/app", env: {} }), {
    cbdir: "/srv/app/.crossbar",
    configPath: "/srv/app/.crossbar/config.json",
  });
});

Deno.test("resolveNodeDirectory() takes CROSSBAR_DIR when no cbdir is given", () => {
  assertEquals(
    resolveNodeDirectory({ cwd: "/srv/app", env: { CROSSBAR_DIR: "node" } }),
    { cbdir: "/srv/app/node", configPath: "/srv/app/node/config.json" },
  );
});

Deno.test("resolveNodeDirectory() prefers --cbdir over CROSSBAR_DIR", () => {
  assertEquals(
    resolveNodeDirectory({
      cwd: "/srv/app",
      cbdir: "/etc/node",
      env: { CROSSBAR_DIR: "node" },
    }),
    { cbdir: "/etc/node", configPath: "/etc/node/config.json" },
  );
});

Deno.test("resolveNodeDirectory() resolves --config relative to the node directory", () => {
  assertEquals(
    resolveNodeDirectory({
      cwd: "/srv/app",
      cbdir: "node",
      config: "prod.json",
      env: {},
    }),
    { cbdir: "/srv/app/node", configPath: "/srv/app/node/prod.json" },
  );
  assertEquals(
    resolveNodeDirectory({ cwd: "/srv", config: "/abs/c.json", env: {} })
      .configPath,
    "/abs/c.json",
  );
});

Deno.test("resolveNodeDirectory() rejects a YAML --config", () => {
  assertThrows(
    () => resolveNodeDirectory({ cwd: "/srv", config: "config.yaml", env: {} }),
    ConfigError,
    "/srv/.crossbar/config.yaml: YAML configs are not supported yet",
  );
});

Deno.test("resolveNodeDirectory() rejects another --config extension", () => {
  assertThrows(
    () => resolveNodeDirectory({ cwd: "/srv", config: "config.ini", env: {} }),
    ConfigError,
    'invalid configuration file extension ".ini"',
  );
});

Deno.test("resolveNodeDirectory() rejects a node directory that only has config.yaml", async () => {
  await withTmpDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "config.yaml"), "version: 2\n");
    assertThrows(
      () => resolveNodeDirectory({ cbdir: dir, env: {} }),
      ConfigError,
      "YAML configs are not supported yet",
    );
    await Deno.writeTextFile(join(dir, "config.json"), '{"version": 2}');
    assertEquals(
      resolveNodeDirectory({ cbdir: dir, env: {} }).configPath,
      join(dir, "config.json"),
    );
  });
});
