/**
 * TLS to NATS: nodes with `controller.cluster.nats.tls` join a real
 * nats-server that requires TLS and client certificates; a node with the
 * wrong CA is refused with a clear error; the key stays out of hosted
 * apps' reach.
 */
import { resolve } from "node:path";
import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";
import { runCli, spawnCli } from "../_helpers/node.ts";
import { makeCertificates, makeClientCertificate } from "../_helpers/tls.ts";
import {
  computeReadGrant,
  configSecretPaths,
} from "../../lib/apphost/read_grants.ts";
import { readNatsTls } from "../../lib/cluster/_tls.ts";
import { ClusterError } from "../../lib/cluster/errors.ts";
import {
  autobahnConnect,
  callees,
  clusterConfig,
  nodeDir,
  startClusterNode,
  startNats,
} from "./_cluster.ts";

/** A CA, a server certificate for 127.0.0.1, a client certificate. */
async function pki(): Promise<
  {
    dir: string;
    files: Record<string, string>;
    otherCa: string;
  } & AsyncDisposable
> {
  const dir = await Deno.makeTempDir({ prefix: "nats_tls_" });
  const other = await Deno.makeTempDir({ prefix: "nats_tls_other_" });
  const { caCert } = await makeCertificates(dir);
  const client = await makeClientCertificate(dir, "node");
  const { caCert: otherCa } = await makeCertificates(other);
  await Deno.writeTextFile(
    resolve(dir, "nats.conf"),
    `tls {
  cert_file: "${resolve(dir, "cert.pem")}"
  key_file: "${resolve(dir, "key.pem")}"
  ca_file: "${resolve(dir, "ca.pem")}"
  verify: true
}
`,
  );
  return {
    dir,
    files: {
      "nats/ca.pem": caCert,
      "nats/node.pem": client.cert,
      "nats/node.key": client.key,
    },
    otherCa,
    [Symbol.asyncDispose]: async () => {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(other, { recursive: true });
    },
  };
}

const TLS = {
  "ca_certificates": ["nats/ca.pem"],
  certificate: "nats/node.pem",
  key: "nats/node.key",
};

function tlsConfig(url: string, tls: Record<string, unknown>) {
  return clusterConfig(undefined, {
    cluster: { nats: { servers: [url], tls } },
  });
}

Deno.test("cluster over TLS: nodes with the CA and a client certificate join; the wrong CA is refused", async () => {
  await using certs = await pki();
  await using nats = await startNats(undefined, [
    "-c",
    resolve(certs.dir, "nats.conf"),
  ]);
  const url = `tls://127.0.0.1:${nats.port}`;
  const config = tlsConfig(url, TLS);
  await using a = await startClusterNode(config, [], certs.files);
  await using b = await startClusterNode(config, [], certs.files);
  await using callee = await autobahnConnect(b.ws);
  await using caller = await autobahnConnect(a.ws);
  await callee.session.register("com.tls.echo", (args: unknown[]) => args[0]);
  await callees(caller, "com.tls.echo", 1);
  assertEquals(
    await caller.session.call("com.tls.echo", ["over tls"]),
    "over tls",
  );

  // The wrong CA: the node does not start, and says why.
  await using wrong = await nodeDir(config, {
    ...certs.files,
    "nats/ca.pem": certs.otherCa,
  });
  const cli = spawnCli(["start", "--cbdir", wrong.path]);
  const status = await cli.status;
  assertEquals(status.success, false);
  const line =
    cli.stderr().split("\n").find((l) => l.includes("Could not start node")) ??
      cli.stderr();
  assert(line.includes(`Cannot connect to NATS at ${url}`), line);
  assert(
    line.includes("controller.cluster.nats.tls.ca_certificates"),
    line,
  );
  assert(!line.includes("    at "), line);
});

Deno.test("readNatsTls() names the key and the path of a missing file", async () => {
  await using dir = await nodeDir({});
  await Deno.writeTextFile(`${dir.path}/ca.pem`, "x");
  const error = await assertRejects(
    () =>
      readNatsTls(
        { ca_certificates: ["ca.pem"], certificate: "c.pem", key: "k.pem" },
        ["nats://127.0.0.1:4222"],
        dir.path,
      ),
    ClusterError,
  );
  assertEquals(
    error.message,
    `controller.cluster.nats.tls.certificate: cannot read "${dir.path}/c.pem": no such file`,
  );
  assertEquals(
    await readNatsTls(
      { ca_certificates: ["ca.pem"] },
      ["nats://h:1"],
      dir.path,
    ),
    { ca: "x\n" },
  );
  // A tls:// URL asks for TLS even without settings; a plain one does not.
  assertEquals(await readNatsTls(undefined, ["tls://h:1"], dir.path), {});
  assertEquals(
    await readNatsTls(undefined, ["nats://h:1"], dir.path),
    undefined,
  );
});

Deno.test("the NATS TLS key and certificates are kept from hosted apps", async () => {
  await using certs = await pki();
  const config = tlsConfig("tls://127.0.0.1:4222", {
    ...TLS,
    key: resolve(certs.dir, "node-key.pem"),
  });
  await using dir = await nodeDir(config, certs.files);
  const secrets = configSecretPaths(dir.path);
  assert(secrets.includes(resolve(certs.dir, "node-key.pem")), `${secrets}`);
  assert(secrets.includes(resolve(dir.path, "nats/node.pem")), `${secrets}`);
  assert(secrets.includes(resolve(dir.path, "nats/ca.pem")), `${secrets}`);
  // An app granted the folder that holds the key may read the rest of it.
  await Deno.writeTextFile(resolve(certs.dir, "readme.txt"), "");
  const grant = computeReadGrant({
    cbdir: dir.path,
    appDir: undefined,
    read: [certs.dir],
    protect: secrets,
  });
  const real = await Deno.realPath(certs.dir);
  assert(grant.includes(resolve(real, "readme.txt")), `${grant}`);
  assert(!grant.some((p) => p.endsWith("node-key.pem")), `${grant}`);
  assert(!grant.includes(real), `${grant}`);
});

Deno.test("check names a NATS TLS file that cannot be read", async () => {
  await using dir = await nodeDir(
    tlsConfig("tls://127.0.0.1:4222", TLS),
    { "nats/ca.pem": "x", "nats/node.pem": "x" },
  );
  const { code, stdout: text } = await runCli(["check", "--cbdir", dir.path]);
  assertEquals(code, 1, text);
  assert(
    text.includes(
      `Error: controller.cluster.nats.tls.key: cannot read "${dir.path}/nats/node.key": no such file`,
    ),
    text,
  );
});
