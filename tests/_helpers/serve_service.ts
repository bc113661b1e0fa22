/**
 * Test helper: mounts one PathService at a prefix on a real loopback
 * `Deno.serve` (port 0), the way the web transport's path table would, so a
 * service can be tested over the wire before or apart from the full node.
 */
import type { PathService, ServeContext } from "../../lib/web/path_service.ts";

/** A running test server; dispose it with `await using`. */
export interface ServedService extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** The port. */
  readonly port: number;
  /** Stops the server and closes the service. */
  close(): Promise<void>;
}

/** Options for {@link serveService}. */
export interface ServeServiceOptions {
  /** Mount prefix such as `"/app"`; `""` mounts at the root. @default {""} */
  prefix?: string;
  /** Serve TLS with this PEM pair. */
  tls?: { cert: string; key: string };
}

/**
 * Serves `service` at `prefix` on 127.0.0.1 with a random port. Requests
 * outside the prefix get 404, like an unmatched path in the path table.
 */
export function serveService(
  service: PathService,
  options: ServeServiceOptions = {},
): ServedService {
  const prefix = options.prefix ?? "";
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    signal: controller.signal,
    ...(options.tls ?? {}),
  }, (request, info) => {
    const url = new URL(request.url);
    const path = url.pathname;
    let rest: string;
    if (prefix === "") rest = path;
    else if (path === prefix) rest = "/";
    else if (path.startsWith(prefix + "/")) rest = path.slice(prefix.length);
    else return new Response("Not Found\n", { status: 404 });
    const context: ServeContext = {
      prefix,
      rest,
      search: url.search,
      remoteAddr: info.remoteAddr,
      secure: options.tls !== undefined,
      get signal() {
        return request.signal;
      },
    };
    return service.handle(request, context);
  });
  const port = (server.addr as Deno.NetAddr).port;
  const scheme = options.tls ? "https" : "http";
  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      await service.close(Date.now() + 2000);
      controller.abort();
      await server.finished;
    })();
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    close,
    [Symbol.asyncDispose]: close,
  };
}
