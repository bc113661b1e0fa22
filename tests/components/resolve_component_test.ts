import { resolve } from "node:path";
import {
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { REPO_ROOT } from "../_helpers/node.ts";
import {
  ComponentNotFoundError,
  resolveComponent,
} from "../../lib/components/mod.ts";

const CBDIR = resolve(REPO_ROOT, "tests/testdata/components/.crossbar");
const APP = resolve(REPO_ROOT, "tests/testdata/components/app");

Deno.test("resolveComponent() finds a TypeScript export along pythonpath", async () => {
  const found = await resolveComponent("backend.Backend", {
    cbdir: CBDIR,
    pythonpath: ["../app"],
  });
  assertEquals(found.kind, "typescript");
  if (found.kind !== "typescript") return;
  assertEquals(found.path, resolve(APP, "backend.ts"));
  assertEquals(found.exportName, "Backend");
});

Deno.test("resolveComponent() takes a Python module when no TypeScript one exists", async () => {
  const found = await resolveComponent("pyback.PyBackend", {
    cbdir: CBDIR,
    pythonpath: ["../app"],
  });
  assertEquals(found.kind, "python");
  if (found.kind !== "python") return;
  assertEquals(found.module.path, resolve(APP, "pyback.py"));
  assertEquals(found.module.root, APP);
  assertEquals(found.className, "PyBackend");
});

Deno.test("resolveComponent() lists every file it tried for a missing module", async () => {
  const error = await assertRejects(
    () =>
      resolveComponent("hello.hello.AppSession", {
        cbdir: CBDIR,
        pythonpath: ["../app"],
      }),
    ComponentNotFoundError,
  );
  assertStringIncludes(error.message, 'the module "hello.hello"');
  assertStringIncludes(error.message, resolve(APP, "hello/hello.ts"));
  assertStringIncludes(error.message, resolve(APP, "hello/hello.py"));
  assertStringIncludes(error.message, resolve(APP, "hello/hello/__init__.py"));
});

Deno.test("resolveComponent() rejects a classname without a module part", async () => {
  const error = await assertRejects(
    () => resolveComponent("AppSession", { cbdir: CBDIR, pythonpath: [] }),
    ComponentNotFoundError,
  );
  assertStringIncludes(error.message, 'expected "module.Export"');
});
