/**
 * Header rules shared by the reverse proxies: which headers are
 * connection-specific (hop-by-hop) and must not be forwarded.
 *
 * @module
 */

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus the common non-standard ones. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "trailers",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
]);

/**
 * Copies `source` without hop-by-hop headers, `proxy-*` headers, the
 * headers named in its `Connection` header, and any name in `drop`.
 */
export function copyEndToEndHeaders(
  source: Headers,
  drop: readonly string[] = [],
): Headers {
  const named = new Set(drop);
  for (const token of (source.get("connection") ?? "").split(",")) {
    const name = token.trim().toLowerCase();
    if (name !== "") named.add(name);
  }
  const out = new Headers();
  for (const [name, value] of source) {
    if (HOP_BY_HOP.has(name) || name.startsWith("proxy-") || named.has(name)) {
      continue;
    }
    out.append(name, value);
  }
  return out;
}

/** The client's IP address from a serve context's remote address. */
export function clientIp(addr: Deno.NetAddr | Deno.UnixAddr): string {
  return "hostname" in addr ? addr.hostname : "unix:";
}

/** Formats `host:port` for a URL, bracketing IPv6 literals. */
export function hostPort(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, "");
  return `${bare.includes(":") ? `[${bare}]` : bare}:${port}`;
}
