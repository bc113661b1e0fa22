import assert from "node:assert/strict";
import { join } from "node:path";
import { AppLoadError, buildWorkerPermissions } from "../../lib/apphost/mod.ts";
import { APPS_DIR, hostApp } from "./_setup.ts";

interface Probe {
  ok: boolean;
  name?: string;
  value?: unknown;
}

async function probe(base: string, what: string, arg = ""): Promise<Probe> {
  const url = `${base}/probe?what=${what}&arg=${encodeURIComponent(arg)}`;
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return await response.json() as Probe;
}

Deno.test("buildWorkerPermissions() grants only the app folder by default", () => {
  const srv = Deno.realPathSync(Deno.makeTempDirSync());
  assert.deepEqual(
    buildWorkerPermissions({ cbdir: `${srv}/.crossbar`, appDir: srv }),
    {
      read: [srv],
      write: false,
      net: false,
      env: false,
      run: false,
      ffi: false,
      sys: false,
      import: false,
    },
  );
  Deno.removeSync(srv);
});

Deno.test("buildWorkerPermissions() resolves configured paths against the cbdir", () => {
  const srv = Deno.realPathSync(Deno.makeTempDirSync());
  const p = buildWorkerPermissions({
    cbdir: `${srv}/.crossbar`,
    appDir: srv,
    permissions: {
      read: ["../data", "/etc/app"],
      write: ["../tmp"],
      net: ["example.com:443"],
      env: true,
    },
  });
  assert.deepEqual(p.read, [srv, `${srv}/data`, "/etc/app"]);
  assert.deepEqual(p.write, [`${srv}/tmp`]);
  assert.deepEqual(p.net, ["example.com:443"]);
  assert.equal(p.env, true);
  assert.equal(p.run, false);
  Deno.removeSync(srv);
});

Deno.test("createWsgiService() denies env, net, outside reads, writes and run by default", async () => {
  await using app = await hostApp({ workers: 1 });
  const tmp = await Deno.makeTempDir();
  try {
    for (
      const [what, arg] of [
        ["env", ""],
        ["net", `${app.origin}/app/id`],
        ["read", "/etc/passwd"],
        ["write", join(tmp, "x.txt")],
        ["run", ""],
      ]
    ) {
      const result = await probe(app.url, what!, arg);
      assert.equal(result.ok, false, what);
      assert.equal(result.name, "NotCapable", what);
    }
    // Its own folder stays readable.
    const own = await probe(app.url, "read", join(APPS_DIR, "pkg", "app.ts"));
    assert.equal(own.ok, true);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("createWsgiService() grants what the config lists", async () => {
  const tmp = await Deno.makeTempDir();
  const outside = join(tmp, "outside.txt");
  await Deno.writeTextFile(outside, "hello");
  try {
    await using app = await hostApp({
      workers: 1,
      permissions: {
        env: ["HOME"],
        net: ["127.0.0.1"],
        read: [tmp],
        write: [tmp],
      },
    });
    assert.equal((await probe(app.url, "env")).ok, true);
    const net = await probe(app.url, "net", `${app.origin}/app/id`);
    assert.deepEqual(net, { ok: true, value: 36 });
    assert.deepEqual(await probe(app.url, "read", outside), {
      ok: true,
      value: 5,
    });
    assert.equal(
      (await probe(app.url, "write", join(tmp, "new.txt"))).ok,
      true,
    );
    assert.equal(await Deno.readTextFile(join(tmp, "new.txt")), "x");
    assert.equal(
      (await probe(app.url, "read", "/etc/passwd")).name,
      "NotCapable",
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("createWsgiService() answers 500 and logs an uncaught NotCapable", async () => {
  await using app = await hostApp();
  const response = await fetch(`${app.url}/probe-uncaught`);
  await response.body?.cancel();
  assert.equal(response.status, 500);
  assert.ok(
    app.lines.some((l) => / warn .*NotCapable: Requires env access/.test(l)),
    app.lines.join("\n"),
  );
});

Deno.test("createWsgiService() needs a read grant for imports outside the app folder", async () => {
  const denied = await hostApp({ module: "pkg.imports_outside", object: "app" })
    .then(async (app) => {
      await app[Symbol.asyncDispose]();
      return undefined;
    }, (error: Error) => error);
  assert.ok(denied instanceof AppLoadError);
  assert.match(
    denied.message,
    /import failed: TypeError: Requires read access to ".*fetch_object\.ts" \(grant it with "permissions": \{"read": \[\.\.\.\]\}\)/,
  );
  await using app = await hostApp({
    module: "pkg.imports_outside",
    object: "app",
    permissions: { read: [".."] },
  });
  const response = await fetch(`${app.url}/x`);
  assert.equal(await response.text(), "fetch object saw /x");
});
