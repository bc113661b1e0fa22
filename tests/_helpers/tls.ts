/**
 * Test helper: makes a throwaway certificate authority and a server
 * certificate for 127.0.0.1/localhost signed by it, with `openssl`.
 */
import { resolve } from "node:path";

/** Files written by {@link makeCertificates}, all inside the given folder. */
export interface TestCertificates {
  /** The CA certificate (PEM), to trust in clients. */
  readonly caCert: string;
  /** File name of the server certificate (relative to the folder). */
  readonly certFile: "cert.pem";
  /** File name of the server key (relative to the folder). */
  readonly keyFile: "key.pem";
}

async function openssl(dir: string, args: string[]): Promise<void> {
  const { success, stderr } = await new Deno.Command("openssl", {
    args,
    cwd: dir,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) {
    throw new Error(
      `openssl ${args[0]} failed: ${new TextDecoder().decode(stderr)}`,
    );
  }
}

/** Writes `ca.pem`, `cert.pem` and `key.pem` into `dir`. */
export async function makeCertificates(dir: string): Promise<TestCertificates> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await openssl(dir, [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca-key.pem",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=Test CA",
  ]);
  await openssl(dir, [
    "req",
    ...ec,
    "-keyout",
    "key.pem",
    "-out",
    "cert.csr",
    "-subj",
    "/CN=localhost",
  ]);
  await Deno.writeTextFile(
    resolve(dir, "ext.cnf"),
    "basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    "cert.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca-key.pem",
    "-CAcreateserial",
    "-out",
    "cert.pem",
    "-days",
    "1",
    "-extfile",
    "ext.cnf",
  ]);
  return {
    caCert: await Deno.readTextFile(resolve(dir, "ca.pem")),
    certFile: "cert.pem",
    keyFile: "key.pem",
  };
}

/**
 * Writes a client certificate `<name>.pem` (with key `<name>-key.pem`)
 * signed by the CA that {@link makeCertificates} left in `dir`.
 */
export async function makeClientCertificate(
  dir: string,
  name: string,
): Promise<{ cert: string; key: string }> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await openssl(dir, [
    "req",
    ...ec,
    "-keyout",
    `${name}-key.pem`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${name}/O=Test Clients`,
  ]);
  await Deno.writeTextFile(
    resolve(dir, "client.cnf"),
    "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n",
  );
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca-key.pem",
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-days",
    "1",
    "-extfile",
    "client.cnf",
  ]);
  return {
    cert: await Deno.readTextFile(resolve(dir, `${name}.pem`)),
    key: await Deno.readTextFile(resolve(dir, `${name}-key.pem`)),
  };
}
