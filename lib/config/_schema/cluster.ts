/**
 * The `controller.cluster` settings: our own keys (Crossbar has none) for
 * running one logical node over several processes and machines, joined by
 * NATS.
 *
 * @module
 */

import * as v from "valibot";
import { bool, expected, int, strict, text } from "./common.ts";

/** A non-empty list of file paths. */
const FileList = v.pipe(
  v.array(text(), expected("a list of file paths")),
  v.check((list) => list.length > 0, "expected at least one file path"),
);

/**
 * TLS to NATS (needed when the servers require it, or `tls://` URLs);
 * every path is relative to the node directory. With neither
 * `ca_certificates` nor a client certificate, the server's certificate
 * must be signed by a CA the system trusts.
 */
export const NatsTlsSchema = v.pipe(
  strict({
    /** Paths of PEM CA certificates that signed the servers' certificates. */
    ca_certificates: v.exactOptional(FileList),
    /** Path of the PEM client certificate (servers with `verify: true`). */
    certificate: v.exactOptional(text()),
    /** Path of the PEM private key of `certificate`. */
    key: v.exactOptional(text()),
  }, "an object (NATS TLS settings)"),
  v.check(
    (t) => (t.certificate === undefined) === (t.key === undefined),
    'give both "certificate" and "key" (a client certificate needs its key), or neither',
  ),
);

/** A NATS server URL: `nats://host:port` (or `tls://`, or `host:port`). */
const NatsUrlSchema = v.pipe(
  v.string(expected("a NATS server URL")),
  v.check(
    (s) =>
      /^((nats|tls):\/\/)?([^\s/:@]+(:[^\s/@]*)?@)?(\[[0-9a-fA-F:.]+\]|[^\s/:@\[\]]+)(:\d{1,5})?$/
        .test(s),
    (issue) =>
      `expected a NATS server URL like "nats://127.0.0.1:4222", found ${
        JSON.stringify(issue.input)
      }`,
  ),
);

/** How the node reaches NATS. */
export const NatsSchema = strict({
  /**
   * NATS servers to connect to (the client fails over between them). Absent,
   * a node with `processes` > 1 starts its own `nats-server` on loopback.
   */
  servers: v.pipe(
    v.array(NatsUrlSchema, expected("a list of NATS server URLs")),
    v.check((list) => list.length > 0, "expected at least one NATS server"),
  ),
  /** User name (with `password`). */
  user: v.exactOptional(text()),
  /** Password (with `user`); `"$VAR"` reads the environment. */
  password: v.exactOptional(text()),
  /** Authentication token; `"$VAR"` reads the environment. */
  token: v.exactOptional(text()),
  /**
   * TLS settings. Absent, the connection is encrypted only when a server
   * requires TLS or a URL is `tls://` (with the system's trusted CAs).
   */
  tls: v.exactOptional(NatsTlsSchema),
}, "an object (NATS settings)");

/** `controller.cluster`. */
export const ClusterSchema = v.pipe(
  strict({
    /**
     * Cluster name: nodes with the same name and NATS servers form one
     * cluster (and only they). @default "crossbar"
     */
    name: v.optional(
      v.pipe(
        v.string(expected("a cluster name")),
        v.check(
          (s) => /^[A-Za-z0-9_-]{1,64}$/.test(s),
          expected(
            "a cluster name of 1 to 64 letters, digits, '_' or '-'",
          ),
        ),
      ),
      "crossbar",
    ),
    /**
     * Node processes to run on this machine, sharing every TCP port
     * (SO_REUSEPORT). `start --processes N` overrides it. @default 1
     */
    processes: v.optional(int(1, 256), 1),
    /** NATS connection; absent with `processes` 1 means not clustered. */
    nats: v.exactOptional(NatsSchema),
    /** Path or name of the `nats-server` binary started for `processes` > 1 without `nats`. @default "nats-server" */
    nats_server: v.optional(text(), "nats-server"),
    /** Heartbeat period in milliseconds. @default 500 */
    heartbeat_interval: v.optional(int(50, 60_000), 500),
    /**
     * A member silent for this many milliseconds is dead: its
     * registrations and subscriptions go, calls pending on it fail.
     * @default 2000
     */
    failure_timeout: v.optional(int(100, 600_000), 2000),
    /**
     * Members on the same host send each other calls, results and events
     * over a Unix socket instead of through NATS (which keeps membership,
     * state and everything between hosts). @default true
     */
    host_links: v.optional(bool(), true),
  }, "an object (cluster settings)"),
  v.check(
    (c) => c.failure_timeout > c.heartbeat_interval,
    '"failure_timeout" must be longer than "heartbeat_interval"',
  ),
);

/** Validated NATS TLS settings. */
export type NatsTlsConfig = v.InferOutput<typeof NatsTlsSchema>;

/** Validated cluster settings. */
export type ClusterConfig = v.InferOutput<typeof ClusterSchema>;
