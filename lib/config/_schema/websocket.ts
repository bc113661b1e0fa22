/**
 * WebSocket settings shared by the `websocket` transport, the `websocket`
 * path service and the `websocket-reverseproxy` backend: options,
 * serializers and cookie tracking.
 *
 * @module
 */

import * as v from "valibot";
import { describeValue } from "../_messages.ts";
import {
  bool,
  byType,
  expected,
  int,
  oneOf,
  str,
  strict,
  strList,
} from "./common.ts";

const MIB = 1024 * 1024;

/** A millisecond option: 0 (off) or at least 1000, as Crossbar checks. */
function millis(name: string): v.GenericSchema<number> {
  return v.pipe(
    v.number(expected("an integer number of milliseconds")),
    v.check(
      (n) => Number.isInteger(n) && n >= 0,
      expected("an integer number of milliseconds"),
    ),
    v.check(
      (n) => n === 0 || n >= 1000,
      (issue) =>
        `"${name}" is in milliseconds; ${
          describeValue(issue.input).replace(/^a number \((.*)\)$/, "$1")
        } is too small (use 0 to turn it off, or at least 1000)`,
    ),
  );
}

const DeflateSchema = strict({
  request_no_context_takeover: v.exactOptional(bool()),
  request_max_window_bits: v.exactOptional(int(0, 15)),
  no_context_takeover: v.exactOptional(bool()),
  max_window_bits: v.exactOptional(int(0, 15)),
  memory_level: v.exactOptional(int(1, 9)),
}, "an object (deflate settings)");

/** WebSocket options (Crossbar §4.3); defaults are Crossbar's. */
export const WebSocketOptionsSchema = strict({
  /** Origins allowed to connect; `*` wildcards allowed. @default ["*"] */
  allowed_origins: v.optional(strList(), () => ["*"]),
  /** Whether a `null` origin (e.g. `file://`) may connect. @default true */
  allow_null_origin: v.optional(bool(), true),
  /** Public port when behind port forwarding. */
  external_port: v.exactOptional(v.nullable(int(1, 65535))),
  /** Accept hybi-10 (version 8) clients. @default true */
  enable_hybi10: v.optional(bool(), true),
  /** Accept RFC 6455 (version 13) clients. @default true */
  enable_rfc6455: v.optional(bool(), true),
  /** Opening handshake timeout in ms, 0 = off. @default 0 */
  open_handshake_timeout: v.optional(millis("open_handshake_timeout"), 0),
  /** Closing handshake timeout in ms, 0 = off. @default 0 */
  close_handshake_timeout: v.optional(millis("close_handshake_timeout"), 0),
  /** Answer a plain GET with a status page (else 426). @default true */
  enable_webstatus: v.optional(bool(), true),
  /** Check that text frames are valid UTF-8. @default true */
  validate_utf8: v.optional(bool(), true),
  /** Mask frames sent by the server. @default false */
  mask_server_frames: v.optional(bool(), false),
  /** Require clients to mask their frames. @default true */
  require_masked_client_frames: v.optional(bool(), true),
  /** Apply masks at all. @default true */
  apply_mask: v.optional(bool(), true),
  /** Largest frame in bytes, 0 = no limit. @default 0 */
  max_frame_size: v.optional(int(0), 0),
  /** Largest message in bytes (1 to 64 MiB); absent means no limit. */
  max_message_size: v.exactOptional(int(1, 64 * MIB)),
  /** Fragment outgoing messages larger than this, 0 = never. @default 0 */
  auto_fragment_size: v.optional(int(0), 0),
  /** Drop the TCP connection instead of a closing handshake. @default false */
  fail_by_drop: v.optional(bool(), false),
  /** Echo the close code and reason. @default false */
  echo_close_codereason: v.optional(bool(), false),
  /** Set TCP_NODELAY. @default true */
  tcp_nodelay: v.optional(bool(), true),
  /** Send a ping every N ms, 0 = off. @default 0 */
  auto_ping_interval: v.optional(millis("auto_ping_interval"), 0),
  /** Drop the connection when a ping is not answered in N ms, 0 = off. @default 0 */
  auto_ping_timeout: v.optional(millis("auto_ping_timeout"), 0),
  /** Ping payload size in bytes, 12 to 125. @default 12 */
  auto_ping_size: v.optional(int(12, 125), 12),
  /** Any incoming traffic resets the ping timer. */
  auto_ping_restart_on_any_traffic: v.exactOptional(bool()),
  /** Legacy Flash policy (accepted, ignored). */
  enable_flash_policy: v.exactOptional(bool()),
  /** Legacy Flash policy file (accepted, ignored). */
  flash_policy: v.exactOptional(str()),
  /** permessage-deflate settings. */
  compression: v.exactOptional(
    strict({ deflate: v.exactOptional(DeflateSchema) }),
  ),
  /** Refuse clients that offer no WAMP subprotocol. @default true */
  require_websocket_subprotocol: v.optional(bool(), true),
  /** Send `Server: Crossbar/<version>` rather than `Crossbar`. @default false */
  show_server_version: v.optional(bool(), false),
}, "an object (WebSocket options)");

/** The serializers this node implements. */
export const SERIALIZERS = ["json", "msgpack", "cbor"] as const;

const SerializerSchema = v.lazy((input: unknown) =>
  input === "ubjson" || input === "flatbuffers"
    ? v.pipe(
      v.unknown(),
      v.check(
        () => false,
        `serializer ${JSON.stringify(input)} is not supported yet (supported: ${
          SERIALIZERS.join(", ")
        })`,
      ),
    )
    : oneOf(SERIALIZERS)
) as unknown as v.GenericSchema<(typeof SERIALIZERS)[number]>;

/** WAMP serializers; absent means every supported one. */
export const SerializersSchema = v.optional(
  v.array(SerializerSchema, expected("a list of serializer names")),
  () => [...SERIALIZERS],
);

const CookieStoreSchema = byType({
  memory: strict({ type: v.literal("memory") }),
  file: strict({
    type: v.literal("file"),
    filename: str(),
    purge_on_startup: v.exactOptional(bool()),
  }),
  database: strict({
    type: v.literal("database"),
    path: str(),
    purge_on_startup: v.exactOptional(bool()),
    maxsize: v.exactOptional(int(1)),
    readonly: v.exactOptional(bool()),
    sync: v.exactOptional(bool()),
  }),
}, { kind: "cookie store" });

const TEN_YEARS = 10 * 366 * 24 * 3600;

/** Cookie tracking on a WebSocket (accepted and validated, §4.5). */
export const CookieSchema = strict({
  /** Cookie name. @default "cbtid" */
  name: v.optional(
    v.pipe(
      str(),
      v.check(
        (s) => /^[a-z][a-z0-9_]+$/.test(s),
        (issue) =>
          `invalid cookie name ${
            describeValue(issue.input)
          } (expected a lowercase letter, then lowercase letters, digits or "_")`,
      ),
    ),
    "cbtid",
  ),
  /** Length of the cookie value, 6 to 64. @default 24 */
  length: v.optional(int(6, 64), 24),
  /** Cookie lifetime in seconds. @default 86400 */
  max_age: v.optional(int(1, TEN_YEARS), 86400),
  secure: v.exactOptional(bool()),
  http_strict: v.exactOptional(bool()),
  same_site: v.exactOptional(oneOf(["Strict", "Lax", "None"])),
  store: v.exactOptional(CookieStoreSchema),
}, "an object (cookie settings)");
