/**
 * Listening endpoints (`tcp`, `unix`) and TLS settings.
 *
 * @module
 */

import * as v from "valibot";
import { bool, byType, int, oneOf, str, strict, strList } from "./common.ts";

/** TLS on a tcp endpoint; every path is relative to the node directory. */
export const TlsSchema = strict({
  /** Path of the PEM private key. */
  key: str(),
  /** Path of the PEM certificate. */
  certificate: str(),
  /** Paths of intermediate certificates sent after `certificate`. */
  chain_certificates: v.exactOptional(strList()),
  /** Paths of CA certificates; given, clients must present a certificate. */
  ca_certificates: v.exactOptional(strList()),
  /** Path of Diffie-Hellman parameters (accepted, may be ignored). */
  dhparam: v.exactOptional(str()),
  /** OpenSSL cipher string (accepted, may be ignored). */
  ciphers: v.exactOptional(str()),
}, "an object (TLS settings)");

const PortRangeSchema = v.pipe(
  v.tuple(
    [int(1, 65535), int(1, 65535)],
    "expected a list of two ports [first, last]",
  ),
  v.check(
    ([lo, hi]) => lo <= hi,
    "the first port of a port range must not exceed the last",
  ),
);

/** A TCP listening endpoint. */
export const TcpEndpointSchema = v.pipe(
  strict({
    type: v.literal("tcp"),
    /** IP version. @default 4 */
    version: v.optional(oneOf([4, 6]), 4),
    /**
     * Port to listen on; `0` picks a free port. A `"$VAR"` string in the
     * file is replaced by the environment variable before validation.
     */
    port: v.exactOptional(int(0, 65535)),
    /** `[first, last]`: the first free port in the range is used. */
    portrange: v.exactOptional(PortRangeSchema),
    /** Interface address to bind; `""` or absent binds every interface. */
    interface: v.exactOptional(str()),
    /** Listen backlog. @default 50 */
    backlog: v.optional(int(1, 65535), 50),
    /** Whether several workers may share the port. @default false */
    shared: v.optional(bool(), false),
    /** TCP_USER_TIMEOUT in milliseconds (accepted, may be ignored). */
    user_timeout: v.exactOptional(int(0, 65535)),
    /** TLS settings; absent means plain TCP. */
    tls: v.exactOptional(TlsSchema),
  }, "an object (an endpoint)"),
  v.check(
    (e) => e.port !== undefined || e.portrange !== undefined,
    'neither "port" nor "portrange" is given (use "port": 0 for any free port)',
  ),
  v.check(
    (e) => e.port === undefined || e.portrange === undefined,
    'give either "port" or "portrange", not both',
  ),
);

/** A Unix domain socket listening endpoint. */
export const UnixEndpointSchema = strict({
  type: v.literal("unix"),
  /** Socket path, relative to the node directory. */
  path: str(),
  /** Listen backlog. @default 50 */
  backlog: v.optional(int(1, 65535), 50),
}, "an object (an endpoint)");

/** A listening endpoint, by `type`. */
export const EndpointSchema = byType({
  tcp: TcpEndpointSchema,
  unix: UnixEndpointSchema,
}, { kind: "endpoint", unsupported: ["twisted", "onion"] });
