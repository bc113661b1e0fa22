/**
 * Small pieces every listener needs around its address: clearing a stale
 * Unix socket file before binding, and the host part of the URL it reports.
 */

/**
 * Removes `path` if it is a socket left behind by an earlier run (and only
 * then); a missing path is fine, anything else is rethrown.
 */
export async function removeStaleSocket(path: string): Promise<void> {
  try {
    const stat = await Deno.lstat(path);
    if (stat.isSocket) await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/**
 * The host to put in a URL for a listener bound to `hostname`: the
 * loopback address for a wildcard bind, IPv6 addresses in brackets.
 */
export function hostForUrl(hostname: string): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::") return "[::1]";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}
