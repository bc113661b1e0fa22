import assert from "node:assert/strict";
import { join } from "node:path";
import { AppLoadError, resolveModule } from "../../lib/apphost/mod.ts";
import { APPS_DIR, CBDIR } from "./_setup.ts";

Deno.test("resolveModule() finds a module through pythonpath '..'", async () => {
  const found = await resolveModule("kitchen", {
    cbdir: CBDIR,
    pythonpath: [".."],
  });
  assert.equal(found.path, join(APPS_DIR, "kitchen.ts"));
  assert.equal(found.specifier, new URL(`file://${APPS_DIR}/kitchen.ts`).href);
});

Deno.test("resolveModule() maps a dotted name to folders", async () => {
  const found = await resolveModule("pkg.app", {
    cbdir: CBDIR,
    pythonpath: [".."],
  });
  assert.equal(found.path, join(APPS_DIR, "pkg", "app.ts"));
});

Deno.test("resolveModule() finds a folder through its mod.ts", async () => {
  const found = await resolveModule("folder_app", {
    cbdir: CBDIR,
    pythonpath: [".."],
  });
  assert.equal(found.path, join(APPS_DIR, "folder_app", "mod.ts"));
});

Deno.test("resolveModule() takes a relative path relative to the cbdir", async () => {
  const found = await resolveModule("../hono_app.ts", { cbdir: CBDIR });
  assert.equal(found.path, join(APPS_DIR, "hono_app.ts"));
});

Deno.test("resolveModule() searches the cbdir itself last", async () => {
  const found = await resolveModule("kitchen", {
    cbdir: APPS_DIR,
    pythonpath: ["pkg"],
  });
  assert.equal(found.path, join(APPS_DIR, "kitchen.ts"));
});

Deno.test("resolveModule() uses npm: and file: specifiers as they are", async () => {
  assert.deepEqual(await resolveModule("npm:hono@4", { cbdir: CBDIR }), {
    specifier: "npm:hono@4",
    path: undefined,
  });
  const url = `file://${APPS_DIR}/kitchen.ts`;
  const found = await resolveModule(url, { cbdir: CBDIR });
  assert.equal(found.path, join(APPS_DIR, "kitchen.ts"));
});

Deno.test("resolveModule() names the module and every candidate on a miss", async () => {
  const error = await resolveModule("nope.app", {
    cbdir: CBDIR,
    pythonpath: [".."],
  })
    .catch((e) => e);
  assert.ok(error instanceof AppLoadError);
  assert.equal(error.module, "nope.app");
  assert.equal(error.candidates.length, 12);
  for (const candidate of error.candidates) {
    assert.ok(error.message.includes(`"${candidate}"`), candidate);
  }
  assert.ok(error.candidates.includes(join(APPS_DIR, "nope", "app.ts")));
  assert.ok(error.candidates.includes(join(CBDIR, "nope", "app", "mod.js")));
  assert.match(
    error.message,
    /^Cannot find WSGI app module "nope\.app": searched "/,
  );
});

Deno.test("resolveModule() rejects a name that is not a module name", async () => {
  await assert.rejects(
    resolveModule("my app!", { cbdir: CBDIR }),
    (e: unknown) =>
      e instanceof AppLoadError && /not a module name/.test(e.message),
  );
});
