/**
 * The config shape of a websocket path (Crossbar's JSON) and how it maps
 * onto codecs and Deno's WebSocket options.
 */
import type { AuthConfig } from "../../wamp/auth/auth_config.ts";
import type { Codec } from "../../wamp/codecs/codec.ts";
import { CODEC_NAMES, CODECS } from "../../wamp/codecs/mod.ts";
import type { Logger } from "../../log/logger.ts";

/** The `options` of a websocket path, as in Crossbar (reference §4.3). */
export interface WebSocketOptions {
  /** Origin patterns (`*` wildcards) allowed to connect. @default {["*"]} */
  "allowed_origins"?: string[] | undefined;
  /** Whether `Origin: null` (file://, sandboxed frames) may connect. @default {true} */
  "allow_null_origin"?: boolean | undefined;
  /** Plain GET shows a status page (else 426). @default {true} */
  "enable_webstatus"?: boolean | undefined;
  /** Largest accepted WAMP message in bytes; 0 = no limit. @default {0} */
  "max_message_size"?: number | undefined;
  /** Keep-alive ping interval in ms (mapped onto Deno's `idleTimeout`). */
  "auto_ping_interval"?: number | undefined;
  /** Keep-alive pong timeout in ms (mapped onto Deno's `idleTimeout`). */
  "auto_ping_timeout"?: number | undefined;
  /** Accepted, ignored (Deno sends empty pings). @default {12} */
  "auto_ping_size"?: number | undefined;
  /** Refuse clients offering no subprotocol. @default {true} */
  "require_websocket_subprotocol"?: boolean | undefined;
  /** Other Crossbar options (frame sizes, masking, compression, …): accepted, ignored. */
  [option: string]: unknown;
}

/** The config of one `"type": "websocket"` path (Crossbar's JSON). */
export interface WebSocketServiceConfig {
  /** `"websocket"`. */
  type?: "websocket" | undefined;
  /** Service id. */
  id?: string | undefined;
  /** The public `ws(s)://` URL, shown on the status page. */
  url?: string | undefined;
  /** Allowed serializers (`json`, `msgpack`, `cbor`). @default {all} */
  serializers?: string[] | undefined;
  /** Cookie tracking: accepted, not implemented. */
  cookie?: Record<string, unknown> | undefined;
  /** Authentication methods; none → anonymous with role `anonymous`. */
  auth?: AuthConfig | undefined;
  /** WebSocket options. */
  options?: WebSocketOptions | undefined;
  /** Debug logging of connections. */
  debug?: boolean | undefined;
}

/** Serializer names Crossbar knows but this node does not implement. */
const UNSUPPORTED_SERIALIZERS = new Set(["ubjson", "flatbuffers"]);

/** The codecs a path allows, by subprotocol, from its `serializers`. */
export function allowedCodecs(
  serializers: readonly string[] | undefined,
  logger: Logger,
): Map<string, Codec> {
  const names = serializers ?? CODEC_NAMES;
  const unknown = names.filter((n) =>
    !(CODEC_NAMES as readonly string[]).includes(n) &&
    !UNSUPPORTED_SERIALIZERS.has(n)
  );
  if (unknown.length > 0) {
    throw new TypeError(
      `Cannot create websocket service: invalid WAMP serializers specified: ${
        unknown.map((n) => `"${n}"`).join(", ")
      } (valid: json, msgpack, cbor)`,
    );
  }
  for (const name of names.filter((n) => UNSUPPORTED_SERIALIZERS.has(n))) {
    logger.warn(`Serializer "${name}" is not supported; ignoring it`);
  }
  const codecs = CODECS.filter((c) => names.includes(c.name));
  if (codecs.length === 0) {
    throw new TypeError(
      "Cannot create websocket service: no supported serializer left in 'serializers'",
    );
  }
  return new Map(codecs.map((c) => [c.subprotocol, c]));
}

/** Deno's `idleTimeout` (seconds, 0 = off) for the auto-ping options. */
export function idleTimeoutSeconds(options: WebSocketOptions): number {
  const interval = options.auto_ping_interval;
  if (typeof interval !== "number" || interval <= 0) return 0;
  const timeout = typeof options.auto_ping_timeout === "number" &&
      options.auto_ping_timeout > 0
    ? options.auto_ping_timeout
    : interval;
  return Math.max(1, Math.ceil((interval + timeout) / 1000));
}
