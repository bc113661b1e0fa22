/**
 * Upgrade checks of the websocket path service: subprotocol choice and
 * origin matching.
 */
import type { Codec } from "../../wamp/codecs/codec.ts";

/** Splits a `Sec-WebSocket-Protocol` header into its tokens. */
export function offeredSubprotocols(header: string | null): string[] {
  if (header === null) return [];
  return header.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * Picks the client's first offered subprotocol that the path allows.
 *
 * @returns The codec, or `undefined` when none of the offered ones match.
 */
export function pickCodec(
  offered: readonly string[],
  allowed: ReadonlyMap<string, Codec>,
): Codec | undefined {
  for (const name of offered) {
    const codec = allowed.get(name);
    if (codec !== undefined) return codec;
  }
  return undefined;
}

/** A compiled `allowed_origins` list. */
export interface OriginPolicy {
  /** Whether a request with this `Origin` header may upgrade. */
  allows(origin: string | null): boolean;
}

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.split("*").map((part) =>
    part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")
  ).join(".*");
  return new RegExp(`^${escaped}$`, "i");
}

/**
 * Compiles `allowed_origins` (patterns with `*` wildcards, e.g.
 * `http://localhost:*`). A request without an `Origin` header (a non-browser
 * client) is allowed; `Origin: null` only with `allowNullOrigin`.
 */
export function originPolicy(
  allowedOrigins: readonly string[],
  allowNullOrigin: boolean,
): OriginPolicy {
  const any = allowedOrigins.includes("*");
  const patterns = allowedOrigins.map(patternToRegExp);
  return {
    allows(origin) {
      if (origin === null) return true;
      if (origin === "null") return allowNullOrigin;
      if (any) return true;
      return patterns.some((re) => re.test(origin));
    },
  };
}
