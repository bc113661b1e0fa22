import assert from "node:assert/strict";
import { join } from "node:path";
import {
  AppLoadError,
  checkWsgiApp,
  createWsgiService,
} from "../../lib/apphost/mod.ts";
import { SILENT_LOGGER } from "../../lib/log/mod.ts";
import { APPS_DIR, baseOptions } from "./_setup.ts";

async function loadError(
  module: string,
  object: string,
): Promise<AppLoadError> {
  const error = await createWsgiService(baseOptions({ module, object }), {
    logger: SILENT_LOGGER,
  }).then(() => undefined, (e) => e);
  assert.ok(error instanceof AppLoadError, String(error));
  return error;
}

Deno.test("createWsgiService() reports a syntax error with module and path", async () => {
  const error = await loadError("bad_syntax", "app");
  assert.match(
    error.message,
    /^WSGI app module "bad_syntax" \(".*bad_syntax\.ts"\) import failed: /,
  );
  assert.equal(error.path, join(APPS_DIR, "bad_syntax.ts"));
});

Deno.test("createWsgiService() reports an error thrown at import", async () => {
  const error = await loadError("throws_at_import", "app");
  assert.match(error.message, /import failed: Error: refusing to load$/);
});

Deno.test("createWsgiService() lists the exports when the object is missing", async () => {
  const error = await loadError("kitchen", "application");
  assert.equal(
    error.message,
    `WSGI app object "application" not in module "kitchen" ("${
      join(APPS_DIR, "kitchen.ts")
    }"): exports found: "default", "handler", "notAnApp", "usedBody"`,
  );
});

Deno.test("createWsgiService() rejects an export that is not a handler", async () => {
  const number = await loadError("kitchen", "notAnApp");
  assert.match(
    number.message,
    /"notAnApp" in module "kitchen" .* is not usable: .* got number$/,
  );
  const klass = await loadError("class_export", "App");
  assert.match(klass.message, /is not usable: .* got function$/);
});

Deno.test("createWsgiService() reports a missing module with its candidates", async () => {
  const error = await loadError("missing_app", "app");
  assert.ok(error.candidates.length > 0);
  assert.match(error.message, /Cannot find WSGI app module "missing_app"/);
});

Deno.test("checkWsgiApp() accepts a usable app and leaves no worker behind", async () => {
  await checkWsgiApp(baseOptions({ module: "hono_app", object: "app" }));
  await checkWsgiApp(baseOptions({ module: "pkg.app", object: "app" }));
});

Deno.test("checkWsgiApp() throws AppLoadError for an unusable app", async () => {
  await assert.rejects(
    checkWsgiApp(baseOptions({ module: "kitchen", object: "nothing" })),
    (e: unknown) =>
      e instanceof AppLoadError && /exports found/.test(e.message),
  );
  await assert.rejects(
    checkWsgiApp(baseOptions({ module: "throws_at_import", object: "app" })),
    AppLoadError,
  );
});
