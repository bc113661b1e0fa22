import { join } from "node:path";
import { assertEquals, assertThrows } from "../_helpers/assert.ts";
import {
  computeReadGrant,
  configSecretPaths,
  ReadGrantError,
} from "../../lib/apphost/read_grants.ts";

function project(): string {
  const dir = Deno.realPathSync(Deno.makeTempDirSync());
  Deno.mkdirSync(join(dir, ".crossbar"));
  Deno.writeTextFileSync(join(dir, ".crossbar/config.json"), "{}");
  Deno.writeTextFileSync(join(dir, "app.ts"), "");
  Deno.mkdirSync(join(dir, "static"));
  return dir;
}

Deno.test("computeReadGrant() grants the app folder entry by entry around the node directory", () => {
  const dir = project();
  const grant = computeReadGrant({
    cbdir: join(dir, ".crossbar"),
    appDir: dir,
    read: [],
  });
  assertEquals(grant.sort(), [join(dir, "app.ts"), join(dir, "static")]);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("computeReadGrant() keeps a protected file deep inside a folder out", () => {
  const dir = project();
  Deno.mkdirSync(join(dir, "static/tls"));
  Deno.writeTextFileSync(join(dir, "static/tls/key.pem"), "k");
  Deno.writeTextFileSync(join(dir, "static/tls/ca.pem"), "c");
  const grant = computeReadGrant({
    cbdir: join(dir, ".crossbar"),
    appDir: dir,
    read: [],
    protect: [join(dir, "static/tls/key.pem")],
  });
  assertEquals(grant.sort(), [
    join(dir, "app.ts"),
    join(dir, "static/tls/ca.pem"),
  ]);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("computeReadGrant() grants a protected path that the config names explicitly", () => {
  const dir = project();
  Deno.mkdirSync(join(dir, ".crossbar/web"));
  const grant = computeReadGrant({
    cbdir: join(dir, ".crossbar"),
    appDir: dir,
    read: ["web"],
  });
  assertEquals(grant.includes(join(dir, ".crossbar/web")), true);
  assertEquals(grant.includes(join(dir, ".crossbar")), false);
  // Naming the folder around the node directory is not naming it.
  const around = computeReadGrant({
    cbdir: join(dir, ".crossbar"),
    appDir: undefined,
    read: [".."],
  });
  assertEquals(around.includes(dir), false);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("computeReadGrant() keeps the node's own files out when the app lives in the node directory", () => {
  const dir = project();
  const cbdir = join(dir, ".crossbar");
  Deno.writeTextFileSync(join(cbdir, "myapp.ts"), "");
  Deno.writeTextFileSync(join(cbdir, "key.priv"), "");
  const grant = computeReadGrant({ cbdir, appDir: cbdir, read: [] });
  assertEquals(grant, [join(cbdir, "myapp.ts")]);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("computeReadGrant() refuses a link that leads out of the grant, naming it", () => {
  const dir = project();
  const outside = Deno.realPathSync(Deno.makeTempDirSync());
  Deno.symlinkSync(outside, join(dir, "static/etc"));
  const error = assertThrows(
    () =>
      computeReadGrant({
        cbdir: join(dir, ".crossbar"),
        appDir: dir,
        read: [],
      }),
    ReadGrantError,
  );
  assertEquals(error.message.includes(join(dir, "static/etc")), true);
  // Granting the target makes the link fine.
  computeReadGrant({
    cbdir: join(dir, ".crossbar"),
    appDir: dir,
    read: [outside],
  });
  // A link in a folder the config names may lead anywhere but into the
  // node directory.
  Deno.symlinkSync(join(dir, ".crossbar"), join(outside, "cfg"));
  Deno.removeSync(join(dir, "static/etc"));
  assertThrows(
    () =>
      computeReadGrant({
        cbdir: join(dir, ".crossbar"),
        appDir: dir,
        read: [outside],
      }),
    ReadGrantError,
  );
  Deno.removeSync(dir, { recursive: true });
  Deno.removeSync(outside, { recursive: true });
});

Deno.test("configSecretPaths() finds the TLS files a config names", () => {
  const dir = project();
  Deno.writeTextFileSync(
    join(dir, ".crossbar/config.json"),
    JSON.stringify({
      tls: {
        key: "server.key",
        certificate: "/etc/ssl/server.crt",
        ca_certificates: ["ca1.pem", "ca2.pem"],
      },
    }),
  );
  assertEquals(configSecretPaths(join(dir, ".crossbar")).sort(), [
    "/etc/ssl/server.crt",
    join(dir, ".crossbar/ca1.pem"),
    join(dir, ".crossbar/ca2.pem"),
    join(dir, ".crossbar/server.key"),
  ]);
  Deno.removeSync(dir, { recursive: true });
});
