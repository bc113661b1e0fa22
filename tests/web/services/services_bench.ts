/**
 * Load figures for the file, proxy and CGI services over loopback.
 * Not a test: run `deno run -A tests/web/services/services_bench.ts`.
 * Prints requests per second (and MB/s for the large file) per scenario,
 * with 16 concurrent fetch loops (2 for the large file) in this same process,
 * so client and server share the machine.
 */
import { join } from "node:path";
import { SILENT_LOGGER } from "../../../lib/log/logger.ts";
import { createStaticService } from "../../../lib/web/services/static.ts";
import { createReverseProxyService } from "../../../lib/web/services/reverseproxy.ts";
import { createCgiService } from "../../../lib/web/services/cgi.ts";
import { serveService } from "../../_helpers/serve_service.ts";

const CONCURRENCY = 16;
const SECONDS = Number(Deno.args[0] ?? 3);

async function load(
  url: string,
  init: RequestInit = {},
  concurrency = CONCURRENCY,
) {
  let requests = 0;
  let bytes = 0;
  const end = Date.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const response = await fetch(url, init);
        bytes += (await response.arrayBuffer()).byteLength;
        if (response.status >= 400) {
          throw new Error(`${url}: ${response.status}`);
        }
        requests++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { rps: requests / elapsed, mbps: bytes / elapsed / 1e6 };
}

function report(name: string, r: { rps: number; mbps: number }) {
  const line = `${name.padEnd(36)} ${r.rps.toFixed(0).padStart(7)} req/s ` +
    `${r.mbps.toFixed(1).padStart(8)} MB/s`;
  // deno-lint-ignore no-console
  console.log(line);
}

const tmp = await Deno.makeTempDir();
try {
  await Deno.writeFile(join(tmp, "small.txt"), new Uint8Array(1024).fill(97));
  await Deno.writeFile(
    join(tmp, "large.bin"),
    new Uint8Array(16 * 1024 * 1024).fill(1),
  );
  await Deno.writeTextFile(
    join(tmp, "hello.sh"),
    "printf 'Content-Type: text/plain\\n\\nhello\\n'\n",
  );
  const env = { cbdir: tmp, logger: SILENT_LOGGER };
  {
    await using files = serveService(
      createStaticService({
        type: "static",
        directory: ".",
        options: {
          enable_directory_listing: false,
          mime_types: {},
          cache_timeout: 43200,
        },
      }, env),
    );
    report("static 1 KiB file", await load(`${files.url}/small.txt`));
    report(
      "static 16 MiB file (2 clients)",
      await load(`${files.url}/large.bin`, {}, 2),
    );
    report(
      "static 1 KiB, 304 revalidation",
      await load(`${files.url}/small.txt`, {
        headers: { "if-none-match": "*" },
      }),
    );
    await using proxy = serveService(
      createReverseProxyService({
        type: "reverseproxy",
        host: "127.0.0.1",
        port: files.port,
        path: "",
        forwarded_proto: "http",
      }, env),
    );
    report("reverseproxy → static 1 KiB", await load(`${proxy.url}/small.txt`));
    report(
      "reverseproxy → static 16 MiB",
      await load(`${proxy.url}/large.bin`),
    );
  }
  {
    await using cgi = serveService(
      createCgiService(
        { type: "cgi", directory: ".", processor: "/bin/sh" },
        env,
      ),
    );
    report("cgi /bin/sh hello", await load(`${cgi.url}/hello.sh`));
  }
} finally {
  await Deno.remove(tmp, { recursive: true });
}
