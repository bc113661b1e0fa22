/**
 * The node's one NATS connection: connects with the configured servers and
 * credentials, reconnects for ever, and reports whether it is up.
 *
 * This module is imported only by a clustered node (`lib/cluster/mod.ts` is
 * loaded on demand), so an unclustered node never loads the NATS client.
 *
 * @module
 */
import {
  type NatsConnection,
  NatsConnectionImpl,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import { ClusterError } from "./errors.ts";
import { useDenoTransport } from "./_transport.ts";
import { type NatsTlsSettings, readNatsTls, tlsHint } from "./_tls.ts";
import type { Logger } from "../log/mod.ts";

/** How to reach NATS (the validated `controller.cluster.nats`). */
export interface NatsSettings {
  /** Server URLs. */
  readonly servers: readonly string[];
  /** User name. */
  readonly user?: string | undefined;
  /** Password. */
  readonly password?: string | undefined;
  /** Token. */
  readonly token?: string | undefined;
  /** TLS files (`controller.cluster.nats.tls`). */
  readonly tls?: NatsTlsSettings | undefined;
}

/** Options for {@link connectNats}. */
export interface ConnectNatsOptions {
  /** Connection name shown by the server (`crossbar-deno <node id>`). */
  readonly name: string;
  /** Where connection changes are logged. */
  readonly logger: Logger;
  /** Called when the connection drops (`false`) and comes back (`true`). */
  readonly onState?: (connected: boolean) => void;
  /** How long the first connection may take. @default {5000} */
  readonly timeout?: number;
  /** Where relative TLS file paths start. @default {"."} */
  readonly cbdir?: string;
}

/** A NATS connection with its state. */
export interface NatsLink {
  /** The client. */
  readonly nc: NatsConnection;
  /** Whether the connection is up right now. */
  readonly connected: boolean;
  /** Closes the connection (idempotent). */
  close(): Promise<void>;
}

/**
 * Connects to NATS and keeps reconnecting after outages.
 *
 * @param settings Servers and credentials.
 * @param options Name, logger, state callback.
 * @returns The link.
 * @throws {ClusterError} When no server answers the first connection, or
 * a TLS file cannot be read.
 */
export async function connectNats(
  settings: NatsSettings,
  options: ConnectNatsOptions,
): Promise<NatsLink> {
  const tls = await readNatsTls(
    settings.tls,
    settings.servers,
    options.cbdir ?? ".",
  );
  const config: NodeConnectionOptions = {
    servers: [...settings.servers],
    name: options.name,
    noEcho: true,
    timeout: options.timeout ?? 5000,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 2000,
    maxPingOut: 2,
    ...(settings.user !== undefined && { user: settings.user }),
    ...(settings.password !== undefined && { pass: settings.password }),
    ...(settings.token !== undefined && { token: settings.token }),
    ...(tls !== undefined && { tls }),
  };
  let nc: NatsConnection;
  try {
    // Native Deno sockets (TLS still goes through the Node transport).
    useDenoTransport();
    nc = await NatsConnectionImpl.connect(config);
  } catch (error) {
    throw new ClusterError(
      `Cannot connect to NATS at ${settings.servers.join(", ")}: ${
        (error as Error).message
      }${
        tlsHint((error as Error).message, settings.tls !== undefined) ||
        " (check controller.cluster.nats.servers and that nats-server runs)"
      }`,
      { cause: error },
    );
  }
  let connected = true;
  (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect" && connected) {
        connected = false;
        options.logger.warn(
          `Lost the NATS connection (${status.server}); cross-node traffic fails until it is back`,
        );
        options.onState?.(false);
      } else if (status.type === "reconnect" && !connected) {
        connected = true;
        options.logger.info(`NATS connection back (${status.server})`);
        options.onState?.(true);
      }
    }
  })().catch(() => {});
  let closing: Promise<void> | undefined;
  return {
    nc,
    get connected() {
      return connected && !nc.isClosed();
    },
    close: () =>
      closing ??= (async () => {
        connected = false;
        try {
          await nc.drain();
        } catch {
          await nc.close().catch(() => {});
        }
      })(),
  };
}
