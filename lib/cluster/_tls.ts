/**
 * TLS to NATS: reads the PEM files named by `controller.cluster.nats.tls`
 * (paths relative to the node directory) into the client's `tls` option,
 * and explains TLS failures of the first connection.
 *
 * The key file is a secret like the web transport's TLS key: the config
 * names it under `key`, which is what `configSecretPaths()`
 * (`lib/apphost/read_grants.ts`) keeps out of every hosted app's reach.
 *
 * @module
 */
import { resolve } from "node:path";
import { ClusterError } from "./errors.ts";

/** The validated `controller.cluster.nats.tls` (paths as configured). */
export interface NatsTlsSettings {
  /** PEM CA certificates that signed the servers' certificates. */
  readonly "ca_certificates"?: readonly string[] | undefined;
  /** PEM client certificate. */
  readonly certificate?: string | undefined;
  /** PEM private key of `certificate`. */
  readonly key?: string | undefined;
}

/** The NATS client's `tls` option: PEM contents. */
export interface NatsTlsOptions {
  /** CA certificates, one PEM bundle (absent: the system's). */
  ca?: string;
  /** Client certificate. */
  cert?: string;
  /** Client key. */
  key?: string;
}

const KEY = "controller.cluster.nats.tls";

/**
 * The client's `tls` option for `servers` and `tls`, or `undefined` when
 * neither asks for TLS (the client still upgrades when a server requires
 * it). A `tls://` URL or a `tls` object makes the client refuse a server
 * without TLS.
 *
 * @param tls The configured TLS settings, if any.
 * @param servers The configured server URLs.
 * @param cbdir The node directory relative paths start from.
 * @returns The option, if any.
 * @throws {ClusterError} Naming the key and the path of a file that cannot
 * be read.
 */
export async function readNatsTls(
  tls: NatsTlsSettings | undefined,
  servers: readonly string[],
  cbdir: string,
): Promise<NatsTlsOptions | undefined> {
  const tlsUrl = servers.some((s) => s.toLowerCase().startsWith("tls://"));
  if (tls === undefined) return tlsUrl ? {} : undefined;
  const read = async (file: string, key: string) => {
    const path = resolve(cbdir, file);
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound
        ? "no such file"
        : (error as Error).message;
      throw new ClusterError(
        `${KEY}.${key}: cannot read "${path}": ${why}`,
        { cause: error },
      );
    }
  };
  const options: NatsTlsOptions = {};
  const cas = tls.ca_certificates ?? [];
  if (cas.length > 0) {
    const pems: string[] = [];
    for (const [i, file] of cas.entries()) {
      pems.push((await read(file, `ca_certificates[${i}]`)).trim());
    }
    options.ca = pems.join("\n") + "\n";
  }
  if (tls.certificate !== undefined) {
    options.cert = await read(tls.certificate, "certificate");
  }
  if (tls.key !== undefined) options.key = await read(tls.key, "key");
  return options;
}

/**
 * What to check when the first connection failed with `message`, for TLS
 * failures; `""` for others.
 *
 * @param message The client's error message.
 * @param tls Whether TLS settings were given.
 * @returns A hint starting with a space, or `""`.
 */
export function tlsHint(message: string, tls: boolean): string {
  const m = message.toLowerCase();
  if (m.includes("does not support 'tls'")) {
    return ` (TLS is configured (${KEY} or a tls:// URL), but the server does not offer it)`;
  }
  if (
    /certificate|verify|self[- ]signed|unknownissuer|issuer|handshake/.test(m)
  ) {
    return ` (the server's TLS certificate is not trusted or does not name the host: check ${KEY}.ca_certificates${
      tls ? "" : ", absent here"
    } and the server address)`;
  }
  if (tls && m.includes("timeout")) {
    return ` (a TLS server that requires a client certificate closes connections it does not accept: check ${KEY}.certificate and key)`;
  }
  return "";
}
