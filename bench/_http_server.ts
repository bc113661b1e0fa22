/**
 * Benchmark server for `bench/http_bench.ts`: serves one app from
 * `bench/apps/` either bare on `Deno.serve` or hosted by a whole node (web
 * transport, path table, a wsgi path's worker pool), then prints
 * `listening <port>`.
 *
 * Usage: `deno run -A bench/_http_server.ts <bare|hosted> <app> [workers]`
 */
import { fileURLToPath } from "node:url";
import { hostNode } from "../lib/node/mod.ts";

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

/** The app hosted by a whole node: web transport, path table, wsgi pool. */
async function startHosted(): Promise<void> {
  const node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        paths: {
          "/": {
            type: "wsgi",
            module: app,
            object: "default",
            workers: Number(workers),
          },
        },
      }],
    }],
  }, { cbdir: appsDir });
  listening({ port: Number(new URL(node.url).port) } as Deno.NetAddr);
}

if (mode === "bare") {
  Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: listening },
    await bareHandler(),
  );
} else {
  await startHosted();
}
