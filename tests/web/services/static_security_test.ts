/**
 * Regression tests: no request may read outside the static folder.
 * Each attack is sent both over a raw socket (exact bytes on the wire) and
 * straight to handle() with an unnormalised `rest`, since a URL parser in
 * front of the service would otherwise clean some of them up.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createStaticService } from "../../../lib/web/services/static.ts";
import { validateServiceConfig } from "../../../lib/config/mod.ts";
import type { PathService } from "../../../lib/web/path_service.ts";
import { serveService } from "../../_helpers/serve_service.ts";
import { rawRequest } from "./_raw_http.ts";
import { directContext, testEnv } from "./_env.ts";

const SECRET = "TOP-SECRET-MARKER";

interface Fixture extends AsyncDisposable {
  service: PathService;
}

/** tmp/secret.txt outside; tmp/www served, with symlinks leading out. */
async function fixture(): Promise<Fixture> {
  const tmp = await Deno.makeTempDir();
  const www = join(tmp, "www");
  await Deno.mkdir(join(www, "sub"), { recursive: true });
  await Deno.writeTextFile(join(tmp, "secret.txt"), SECRET);
  await Deno.writeTextFile(join(tmp, "secret.txt.gz"), SECRET);
  await Deno.writeTextFile(join(www, "ok.txt"), "fine");
  await Deno.writeTextFile(join(www, "sub", "inner.txt"), "inner");
  await Deno.symlink(join(tmp, "secret.txt"), join(www, "link.txt"));
  await Deno.symlink("../secret.txt", join(www, "rel.txt"));
  await Deno.symlink(tmp, join(www, "linkdir"));
  await Deno.symlink("ok.txt", join(www, "inside.txt"));
  await Deno.symlink(join(tmp, "secret.txt.gz"), join(www, "ok.txt.gz"));
  const service = createStaticService(
    validateServiceConfig({
      type: "static",
      directory: www,
      options: { enable_directory_listing: true },
    }),
    testEnv(tmp),
  );
  return {
    service,
    [Symbol.asyncDispose]: async () => {
      await service.close();
      await Deno.remove(tmp, { recursive: true });
    },
  };
}

async function assertRefusedDirect(service: PathService, rest: string) {
  const response = await service.handle(
    new Request("http://127.0.0.1/x"),
    directContext(rest),
  );
  const body = await response.text();
  assert.ok(!body.includes(SECRET), `${rest} leaked the secret`);
  assert.ok(
    response.status === 404 || response.status === 403,
    `${rest} answered ${response.status}`,
  );
}

async function assertRefusedRaw(port: number, target: string) {
  const { status, text } = await rawRequest(port, target);
  assert.ok(!text.includes(SECRET), `${target} leaked the secret`);
  assert.ok(
    [400, 403, 404].includes(status),
    `${target} answered ${status}`,
  );
}

async function assertRefused(rest: string) {
  await using f = await fixture();
  await assertRefusedDirect(f.service, rest);
  for (const prefix of ["", "/files"]) {
    await using server = serveService(f.service, { prefix });
    await assertRefusedRaw(server.port, prefix + rest);
  }
}

Deno.test("createStaticService() refuses a plain .. segment", async () => {
  await assertRefused("/../secret.txt");
  await assertRefused("/sub/../../secret.txt");
});

Deno.test("createStaticService() refuses a percent-encoded .. segment", async () => {
  await assertRefused("/%2e%2e/secret.txt");
  await assertRefused("/%2E%2E/secret.txt");
  await assertRefused("/.%2e/secret.txt");
});

Deno.test("createStaticService() refuses an encoded slash inside a segment", async () => {
  await assertRefused("/..%2fsecret.txt");
  await assertRefused("/sub%2f..%2f..%2fsecret.txt");
});

Deno.test("createStaticService() refuses encoded and raw backslashes", async () => {
  await assertRefused("/..%5csecret.txt");
  await assertRefused("/sub%5C..%5C..%5Csecret.txt");
  await assertRefused("/..\\secret.txt");
});

Deno.test("createStaticService() refuses NUL bytes", async () => {
  await assertRefused("/ok.txt%00");
  await assertRefused("/ok.txt%00.html");
});

Deno.test("createStaticService() refuses absolute paths", async () => {
  await using f = await fixture();
  for (const rest of ["//etc/passwd", "/%2fetc%2fpasswd", "/%2Fetc/passwd"]) {
    await assertRefusedDirect(f.service, rest);
  }
});

Deno.test("createStaticService() refuses bad percent-encoding", async () => {
  await assertRefused("/%E0%A4%A.txt");
  await assertRefused("/%zz");
});

Deno.test("createStaticService() refuses a symlink to a file outside", async () => {
  await assertRefused("/link.txt");
  await assertRefused("/rel.txt");
});

Deno.test("createStaticService() refuses a symlinked folder outside", async () => {
  await assertRefused("/linkdir/secret.txt");
  await assertRefused("/linkdir/");
});

Deno.test("createStaticService() ignores a precompressed sibling that links outside", async () => {
  await using f = await fixture();
  await using server = serveService(f.service);
  const response = await fetch(server.url + "/ok.txt", {
    headers: { "accept-encoding": "gzip" },
  });
  assert.equal(response.headers.get("content-encoding"), null);
  assert.equal(await response.text(), "fine");
});

Deno.test("createStaticService() still follows symlinks that stay inside", async () => {
  await using f = await fixture();
  await using server = serveService(f.service);
  const response = await fetch(server.url + "/inside.txt");
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "fine");
  const listing = await (await fetch(server.url + "/sub/")).text();
  assert.match(listing, /inner\.txt/);
});
