/**
 * Benchmark server for `bench/python_bench.ts`: the seed page hosted by a
 * whole node at `/` with `workers` workers, then prints `listening <port>`:
 * `python` serves the seed's Flask app (`examples/flask/myapp.py`) on
 * gunicorn processes, `typescript` its port (`examples/wsgi/myapp.ts`, Hono
 * and nunjucks) on Web Workers.
 *
 * Usage: `deno run -A bench/_python_server.ts <python|typescript> [workers]`
 */
import { fileURLToPath } from "node:url";
import { hostNode } from "../lib/node/mod.ts";
import { createLogger } from "../lib/log/mod.ts";

const [kind = "python", workers = "2"] = Deno.args;
const example = kind === "python" ? "flask" : "wsgi";
const cbdir = fileURLToPath(
  new URL(`../examples/${example}/.crossbar`, import.meta.url),
);

const node = await hostNode({
  version: 2,
  workers: [{
    type: "router",
    options: { pythonpath: [".."] },
    transports: [{
      type: "web",
      endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
      paths: {
        "/": {
          type: "wsgi",
          module: "myapp",
          object: "app",
          workers: Number(workers),
        },
      },
    }],
  }],
}, { cbdir, logger: createLogger({ level: "warn" }) });
Deno.stdout.writeSync(
  new TextEncoder().encode(`listening ${new URL(node.url).port}\n`),
);
