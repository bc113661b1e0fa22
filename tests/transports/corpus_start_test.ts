/**
 * Every real Crossbar config of the corpus that `check` accepts also
 * starts: each is copied into its own node directory, its `${ENV}` values
 * are filled in, TLS files it names are generated, every listening
 * endpoint is moved to a free loopback port (shared ports stay shared) or
 * a fresh unix socket, then the node is started and stopped.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, loadConfig } from "../../lib/config/mod.ts";
import { SILENT_LOGGER } from "../../lib/log/mod.ts";
import { startNode } from "../../lib/node/mod.ts";
import { checkApps } from "../../lib/node/services.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { freePort } from "../_helpers/node.ts";
import { makeCertificates } from "../_helpers/tls.ts";

const CORPUS = fileURLToPath(
  new URL("../../../shared/corpus/crossbar-configs/", import.meta.url),
);
const HAVE_CORPUS = existsSync(`${CORPUS}INDEX.md`);

/** `$VAR` / `${VAR}` values: "false" where a worker's `disabled` reads one. */
function envFor(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of text.matchAll(/"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"/g)) {
    env[match[1]!] = "12345";
  }
  for (
    const match of text.matchAll(
      /"disabled"\s*:\s*"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"/g,
    )
  ) {
    env[match[1]!] = "false";
  }
  return env;
}

type Endpoint = Record<string, unknown> & { type: string };

/** Every listening endpoint of the router workers. */
function listeningEndpoints(config: Config): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const worker of config.workers) {
    if (worker.type !== "router") continue;
    for (const transport of worker.transports) {
      endpoints.push(transport.endpoint as unknown as Endpoint);
    }
  }
  return endpoints;
}

async function writeTlsFiles(
  config: Config,
  cbdir: string,
  certs: { cert: string; key: string; ca: string },
): Promise<void> {
  for (const endpoint of listeningEndpoints(config)) {
    const tls = endpoint.tls as Record<string, string | string[]> | undefined;
    if (tls === undefined) continue;
    const write = async (file: string, content: string) => {
      const path = resolve(cbdir, file);
      await Deno.mkdir(dirname(path), { recursive: true });
      await Deno.writeTextFile(path, content);
    };
    await write(tls.key as string, certs.key);
    await write(tls.certificate as string, certs.cert);
    for (const file of (tls.chain_certificates ?? []) as string[]) {
      await write(file, certs.ca);
    }
    for (const file of (tls.ca_certificates ?? []) as string[]) {
      await write(file, certs.ca);
    }
    delete tls.dhparam;
  }
}

function moveEndpoints(config: Config, dir: string): void {
  const ports = new Map<string, number>();
  let sockets = 0;
  for (const endpoint of listeningEndpoints(config)) {
    if (endpoint.type === "unix") {
      endpoint.path = `${dir}/s${sockets++}.sock`;
      continue;
    }
    // Port 0 (any free port) unless workers share it: then one fixed port.
    let port = 0;
    if (endpoint.shared) {
      const original = String(endpoint.port ?? endpoint.portrange);
      port = ports.get(original) ?? freePort();
      ports.set(original, port);
    }
    endpoint.port = port;
    delete endpoint.portrange;
    endpoint.interface = "127.0.0.1";
    endpoint.version = 4;
  }
}

Deno.test({
  name: "corpus: every config that check accepts starts and stops",
  ignore: !HAVE_CORPUS,
  async fn() {
    const certDir = await Deno.makeTempDir({ prefix: "corpus_tls_" });
    const made = await makeCertificates(certDir);
    const certs = {
      cert: await Deno.readTextFile(`${certDir}/${made.certFile}`),
      key: await Deno.readTextFile(`${certDir}/${made.keyFile}`),
      ca: made.caCert,
    };
    const problems: string[] = [];
    const started: string[] = [];
    const seen = new Set<string>();
    let newer = 0;
    for (
      const entry of [...Deno.readDirSync(CORPUS)].sort((a, b) =>
        a.name < b.name ? -1 : 1
      )
    ) {
      if (!entry.name.endsWith(".json")) continue;
      const text = await Deno.readTextFile(`${CORPUS}${entry.name}`);
      if (seen.has(text)) continue; // identical copies start the same way
      seen.add(text);
      const dir = await Deno.makeTempDir({ prefix: "corpus_start_" });
      try {
        await Deno.mkdir(`${dir}/.crossbar`);
        const path = `${dir}/.crossbar/config.json`;
        await Deno.writeTextFile(path, text);
        const env = envFor(text);
        let loaded;
        try {
          loaded = await loadConfig(path, { env });
        } catch {
          continue; // check refuses it
        }
        await writeTlsFiles(loaded.config, loaded.cbdir, certs);
        if ((await checkApps(loaded.config, loaded.cbdir, path)).length > 0) {
          continue; // check refuses it (an app or component module is absent)
        }
        moveEndpoints(loaded.config, dir);
        // Guest programs (node, php, .NET apps) are not in the corpus, like
        // app modules; guests run in tests/guest/. Start the rest.
        const config = {
          ...loaded.config,
          workers: loaded.config.workers.filter((w) => w.type !== "guest"),
        };
        const previous = Object.keys(env).filter((k) => Deno.env.has(k));
        for (const [name, value] of Object.entries(env)) {
          if (!previous.includes(name)) Deno.env.set(name, value);
        }
        try {
          const node = await startNode({
            config,
            cbdir: loaded.cbdir,
            logger: SILENT_LOGGER,
            gracePeriod: 1000,
          });
          await node.close();
          started.push(entry.name);
          if (/"(rawsocket|universal|longpoll)"/.test(text)) newer++;
        } catch (error) {
          problems.push(`${entry.name}: ${(error as Error).message}`);
        } finally {
          for (const name of Object.keys(env)) {
            if (!previous.includes(name)) Deno.env.delete(name);
          }
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
    await Deno.remove(certDir, { recursive: true });
    // deno-lint-ignore no-console -- the figure the README quotes
    console.log(
      `${started.length} distinct corpus configs started, ${newer} of them with rawsocket, universal or longpoll`,
    );
    assertEquals(problems, []);
    assert(started.length >= 40, `only ${started.length} configs started`);
  },
});
