/**
 * The answer of a websocket path to a plain HTTP request (no `Upgrade`):
 * a short status page, a `?redirect=` redirect, or 426.
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const HTML_HEADERS = { "content-type": "text/html; charset=utf-8" };

/**
 * A redirect target from `?redirect=`: an absolute http(s) URL or a path on
 * this host; anything else (e.g. `javascript:`) is refused.
 */
function safeRedirect(target: string): string | undefined {
  if (target.startsWith("/") && !target.startsWith("//")) return target;
  try {
    const url = new URL(target);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href;
  } catch { /* not a URL */ }
  return undefined;
}

/** What the status page shows. */
export interface StatusPageOptions {
  /** The configured public `url` of the endpoint, if any. */
  url?: string | undefined;
  /** Whether to answer with the page (else 426). */
  enabled: boolean;
}

/**
 * Answers a plain GET/HEAD on a websocket path as Crossbar does:
 * `?redirect=<url>` → 303 (`&after=N` → page with a meta refresh instead),
 * else the HTML status page; with the page disabled, 426 Upgrade Required.
 */
export function statusResponse(
  request: Request,
  search: string,
  options: StatusPageOptions,
): Response {
  if (!options.enabled) {
    return new Response(
      "426 Upgrade Required: this is a WebSocket endpoint\n",
      {
        status: 426,
        headers: {
          "content-type": "text/plain; charset=utf-8",
          upgrade: "websocket",
        },
      },
    );
  }
  const query = new URLSearchParams(search);
  const redirect = query.get("redirect");
  const target = redirect === null ? undefined : safeRedirect(redirect);
  if (redirect !== null && target === undefined) {
    return new Response("400 Bad Request: invalid redirect target\n", {
      status: 400,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  const after = Number.parseInt(query.get("after") ?? "", 10);
  if (target !== undefined && !(after > 0)) {
    return new Response(null, { status: 303, headers: { location: target } });
  }
  const refresh = target === undefined
    ? ""
    : `<meta http-equiv="refresh" content="${after};url=${
      escapeHtml(target)
    }">`;
  const url = options.url === undefined
    ? ""
    : `<p>URL: <code>${escapeHtml(options.url)}</code></p>`;
  const body = `<!DOCTYPE html>
<html><head><meta charset="utf-8">${refresh}<title>WAMP endpoint</title></head>
<body><h1>This is a WAMP-over-WebSocket endpoint</h1>
<p>Connect with a WAMP client using a <code>wamp.2.*</code> WebSocket subprotocol.</p>
${url}</body></html>
`;
  return new Response(request.method === "HEAD" ? null : body, {
    status: 200,
    headers: HTML_HEADERS,
  });
}
