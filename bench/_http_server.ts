/**
 * Benchmark server for `bench/http_bench.ts`: serves one app from
 * `bench/apps/` either bare on `Deno.serve` or hosted as a wsgi path (a
 * worker pool) at the root, then prints `listening <port>`.
 *
 * Usage: `deno run -A bench/_http_server.ts <bare|hosted> <app> [workers]`
 */
import { fileURLToPath } from "node:url";
import { createWsgiService } from "../lib/apphost/mod.ts";
import { SILENT_LOGGER } from "../lib/log/mod.ts";
import type { ServeContext } from "../lib/web/path_service.ts";

const [mode = "bare", app = "hello", workers = "1"] = Deno.args;
const appsDir = fileURLToPath(new URL("./apps", import.meta.url));

function listening(addr: Deno.NetAddr): void {
  Deno.stdout.writeSync(new TextEncoder().encode(`listening ${addr.port}\n`));
}

type Handler = (
  request: Request,
  info: Deno.ServeHandlerInfo,
) => Response | Promise<Response>;

async function bareHandler(): Promise<Handler> {
  const module = await import(`./apps/${app}.ts`);
  const value = module.default;
  if (typeof value === "function") return value;
  return (request, info) => value.fetch(request, info);
}

async function hostedHandler(): Promise<Handler> {
  const service = await createWsgiService({
    path: "/",
    module: app,
    object: "default",
    cbdir: appsDir,
    workers: Number(workers),
  }, { logger: SILENT_LOGGER });
  // The root mount of a path table: the app sees the full path.
  return (request, info) => {
    const url = request.url;
    const start = url.indexOf("/", url.indexOf("//") + 2);
    const query = url.indexOf("?", start);
    const context: ServeContext = {
      prefix: "",
      rest: query < 0 ? url.slice(start) : url.slice(start, query),
      search: query < 0 ? "" : url.slice(query),
      remoteAddr: info.remoteAddr as Deno.NetAddr,
      secure: false,
      // Lazy: reading request.signal costs ~25 µs per request in Deno 2.9.6.
      get signal() {
        return request.signal;
      },
    };
    return service.handle(request, context);
  };
}

const handler = mode === "bare" ? await bareHandler() : await hostedHandler();
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: listening }, handler);
