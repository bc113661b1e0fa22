/**
 * The `rawsocket` and `universal` listening transports (Crossbar §4.6,
 * "RawSocket Transport", and "Universal Transport").
 *
 * @module
 */

import * as v from "valibot";
import {
  bool,
  expected,
  id,
  int,
  notArray,
  strict,
  unsupported,
} from "./common.ts";
import { AuthSchema } from "./auth.ts";
import { EndpointSchema } from "./endpoint.ts";
import { SerializersSchema } from "./websocket.ts";
import {
  PATH_KEY_REGEXP,
  PathsSchema,
  WebOptionsSchema,
  WebSocketServiceSchema,
} from "./services.ts";

/**
 * The RawSocket receive limit bounds: a handshake can announce 2^9 to
 * 2^24 octets (autobahn-python asserts the same range at start; Crossbar's
 * check lets up to 64 MiB through, which then fails at start).
 */
const MIN_MESSAGE_SIZE = 512;
const MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

/** RawSocket options. */
export const RawSocketOptionsSchema = strict({
  /**
   * Largest message accepted from a client, in octets (512 … 16 MiB); the
   * handshake announces the power of two that covers it. @default 16777216
   */
  max_message_size: v.optional(
    int(MIN_MESSAGE_SIZE, MAX_MESSAGE_SIZE),
    MAX_MESSAGE_SIZE,
  ),
}, "an object (RawSocket options)");

/** The settings of a RawSocket endpoint, without `endpoint`. */
export const RAWSOCKET_ENTRIES = {
  id: v.exactOptional(id()),
  /** Serializers clients may ask for; absent means every supported one. */
  serializers: SerializersSchema,
  options: v.optional(RawSocketOptionsSchema, {}),
  /** Authentication methods; absent: anonymous with role "anonymous". */
  auth: v.exactOptional(AuthSchema),
  /** Log each connection at debug level. @default false */
  debug: v.optional(bool(), false),
};

/**
 * `Deno.listenTls` cannot ask for client certificates, so a stream
 * transport refuses `ca_certificates` up front rather than at start.
 */
function noClientCertificates<T extends { endpoint: unknown }>(
  kind: string,
): v.CheckAction<T, string> {
  return v.check<T, string>(
    (transport) => {
      const endpoint = transport.endpoint as {
        type: string;
        tls?: { ca_certificates?: unknown };
      };
      return endpoint.type !== "tcp" ||
        endpoint.tls?.ca_certificates === undefined;
    },
    `client certificates ("ca_certificates") are not supported on ${kind} transports yet (use a web transport)`,
  );
}

/** A `rawsocket` transport: WAMP over length-prefixed frames. */
const RawSocketObjectSchema = strict({
  type: v.literal("rawsocket"),
  endpoint: EndpointSchema,
  ...RAWSOCKET_ENTRIES,
}, "an object (a rawsocket transport)");

/** A `rawsocket` transport: WAMP over length-prefixed frames. */
export const RawSocketTransportSchema = v.pipe(
  RawSocketObjectSchema,
  noClientCertificates<v.InferOutput<typeof RawSocketObjectSchema>>(
    "rawsocket",
  ),
);

const WebSocketMapKeySchema = v.pipe(
  v.string(),
  v.check(
    (key) => PATH_KEY_REGEXP.test(key),
    (issue) =>
      `invalid WebSocket path ${
        JSON.stringify(issue.input)
      } (expected "/" or a path segment of letters, digits, "_" and "-")`,
  ),
);

/** `websocket` of a universal transport: first path segments to endpoints. */
const WebSocketMapSchema = v.pipe(
  notArray("an object (paths to websocket endpoints)"),
  v.record(
    WebSocketMapKeySchema,
    WebSocketServiceSchema,
    expected("an object (paths to websocket endpoints)"),
  ),
) as unknown as v.GenericSchema<
  Record<string, v.InferInput<typeof WebSocketServiceSchema>>,
  Record<string, v.InferOutput<typeof WebSocketServiceSchema>>
>;

const UniversalObjectSchema = strict({
  type: v.literal("universal"),
  id: v.exactOptional(id()),
  endpoint: EndpointSchema,
  /** RawSocket settings; absent: RawSocket connections are closed. */
  rawsocket: v.exactOptional(
    strict(RAWSOCKET_ENTRIES, "an object (RawSocket settings)"),
  ),
  /** WebSocket endpoints by first path segment (`"ws"`, or `"/"`). */
  websocket: v.optional(WebSocketMapSchema, {}),
  /** The web path table; absent: other HTTP requests are closed. */
  web: v.exactOptional(strict({
    paths: PathsSchema,
    options: v.optional(WebOptionsSchema, {}),
  }, "an object (web settings)")),
  mqtt: unsupported("MQTT on a universal transport is not supported yet"),
}, "an object (a universal transport)");

/**
 * A `universal` transport: one port serving RawSocket, WebSocket paths and
 * a web path table, told apart by the first octets of each connection.
 */
export const UniversalTransportSchema = v.pipe(
  UniversalObjectSchema,
  noClientCertificates<v.InferOutput<typeof UniversalObjectSchema>>(
    "universal",
  ),
);
