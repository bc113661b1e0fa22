/**
 * How a websocket path's config (the schema's output, every default
 * applied: `lib/config/_schema/websocket.ts`) maps onto codecs and Deno's
 * WebSocket options.
 */
import type { SerializerName, WebSocketOptions } from "../../config/mod.ts";
import type { Codec } from "../../wamp/codecs/codec.ts";
import { CODECS } from "../../wamp/codecs/mod.ts";

/**
 * The codecs a path allows, by subprotocol, from its `serializers`.
 *
 * @throws {TypeError} When the list is empty.
 */
export function allowedCodecs(
  serializers: readonly SerializerName[],
): Map<string, Codec> {
  const codecs = CODECS.filter((c) => serializers.includes(c.name));
  if (codecs.length === 0) {
    throw new TypeError(
      "Cannot create websocket service: no supported serializer left in 'serializers'",
    );
  }
  return new Map(codecs.map((c) => [c.subprotocol, c]));
}

/**
 * Deno's `idleTimeout` (seconds, 0 = off) for the auto-ping options; the
 * pong timeout is the interval when it is off (0).
 */
export function idleTimeoutSeconds(options: WebSocketOptions): number {
  const interval = options.auto_ping_interval;
  if (interval <= 0) return 0;
  const timeout = options.auto_ping_timeout > 0
    ? options.auto_ping_timeout
    : interval;
  return Math.max(1, Math.ceil((interval + timeout) / 1000));
}
