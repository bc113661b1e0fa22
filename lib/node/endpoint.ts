/**
 * Turns a transport's `endpoint` config into a listening web transport:
 * interface and IP version, `port` or the first free port of `portrange`,
 * TLS files read relative to the node directory (with `ca_certificates`,
 * clients must present a certificate signed by one of those CAs), unix socket
 * paths.
 */
import { resolve } from "node:path";
import type { EndpointConfig, TlsConfig } from "../config/mod.ts";
import type { Logger } from "../log/mod.ts";
import {
  type ListenEndpoint,
  listenWebTransport,
  type WebTransport,
  type WebTransportOptions,
} from "../web/web_transport.ts";

/** Raised when an endpoint cannot be opened (port taken, TLS file missing). */
export class EndpointError extends Error {
  /** Creates the error; `cause` is the underlying failure. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "EndpointError";
  }
}

/**
 * Opens `endpoint` and serves it with the given table and behaviour.
 *
 * @param endpoint The validated endpoint config.
 * @param options The rest of the web transport's options and the cbdir.
 * @returns The listening transport.
 * @throws {EndpointError} When no port could be bound or a file is missing.
 */
export async function listenEndpoint(
  endpoint: EndpointConfig,
  options: Omit<WebTransportOptions, "endpoint"> & { cbdir: string },
): Promise<WebTransport> {
  return await bindEndpoint(
    endpoint,
    options,
    (address) => listenOn(address, options),
  );
}

/**
 * Resolves `endpoint` into listen addresses (the node directory for unix
 * paths and TLS files, each port of a `portrange` in turn) and calls
 * `open` until one binds.
 *
 * @param endpoint The validated endpoint config.
 * @param options The node directory and the logger for TLS warnings.
 * @param open Binds one address; throws {@link EndpointError} when taken.
 * @returns What `open` returned for the first address that bound.
 * @throws {EndpointError} When no address could be bound or a file is
 * missing.
 */
export async function bindEndpoint<T>(
  endpoint: EndpointConfig,
  options: { readonly cbdir: string; readonly logger: Logger },
  open: (address: ListenEndpoint) => Promise<T>,
): Promise<T> {
  if (endpoint.type === "unix") {
    return await open({
      kind: "unix",
      path: resolve(options.cbdir, endpoint.path),
    });
  }
  const hostname = endpoint.interface ||
    (endpoint.version === 6 ? "::" : "0.0.0.0");
  const tls = endpoint.tls &&
    await readTls(endpoint.tls, options.cbdir, options.logger);
  const ports = endpoint.portrange
    ? range(endpoint.portrange[0], endpoint.portrange[1])
    : [endpoint.port ?? 0];
  let lastError: unknown;
  for (const port of ports) {
    try {
      return await open({
        kind: "tcp",
        hostname,
        port,
        backlog: endpoint.backlog,
        reusePort: endpoint.shared,
        ...(tls && { tls }),
      });
    } catch (error) {
      if (!(error instanceof EndpointError)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

async function listenOn(
  endpoint: ListenEndpoint,
  options: Omit<WebTransportOptions, "endpoint">,
): Promise<WebTransport> {
  return await asEndpointError(
    endpoint,
    () => listenWebTransport({ ...options, endpoint }),
  );
}

/**
 * Runs `listen`, turning a bind failure into an {@link EndpointError} that
 * names the address ("address in use", permission, …).
 */
export async function asEndpointError<T>(
  endpoint: ListenEndpoint,
  listen: () => Promise<T>,
): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const where = endpoint.kind === "unix"
      ? `unix socket "${endpoint.path}"`
      : `${endpoint.hostname}:${endpoint.port}`;
    if (error instanceof Deno.errors.AddrInUse) {
      throw new EndpointError(`Cannot listen on ${where}: address in use`, {
        cause: error,
      });
    }
    throw new EndpointError(
      `Cannot listen on ${where}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

async function readTls(
  tls: TlsConfig,
  cbdir: string,
  logger: Logger,
): Promise<{ cert: string; key: string; ca?: string[] }> {
  if (tls.ciphers !== undefined || tls.dhparam !== undefined) {
    logger.warn(
      'TLS "ciphers" and "dhparam" are ignored: Deno (rustls) offers only ' +
        "its own modern cipher suites and does not use DH parameters",
    );
  }
  const read = async (file: string, what: string) => {
    const path = resolve(cbdir, file);
    try {
      return await Deno.readTextFile(path);
    } catch (error) {
      throw new EndpointError(
        `Cannot read the TLS ${what} "${path}": ${(error as Error).message}`,
        { cause: error },
      );
    }
  };
  const key = await read(tls.key, "key");
  let cert = await read(tls.certificate, "certificate");
  for (const chain of tls.chain_certificates ?? []) {
    cert += "\n" + await read(chain, "chain certificate");
  }
  const ca: string[] = [];
  for (const file of tls.ca_certificates ?? []) {
    ca.push(await read(file, "CA certificate"));
  }
  return ca.length > 0 ? { cert, key, ca } : { cert, key };
}

function range(low: number, high: number): number[] {
  const ports: number[] = [];
  for (let port = low; port <= high; port++) ports.push(port);
  return ports;
}
