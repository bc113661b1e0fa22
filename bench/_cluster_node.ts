/**
 * Bench helper: node processes (`main.ts start`) for the cluster benches,
 * on a temporary node directory, each with one realm whose anonymous role
 * may do everything.
 *
 * @module
 */

const MAIN = new URL("../main.ts", import.meta.url).pathname;

const ALLOW_ALL = {
  uri: "",
  match: "prefix",
  allow: { call: true, register: true, publish: true, subscribe: true },
  disclose: { caller: false, publisher: false },
  cache: true,
};

/**
 * A node config with `realm1` and one web transport on a free loopback
 * port with `paths`; clustered when `cluster` is given.
 */
export function nodeConfig(
  cluster: unknown,
  paths: Record<string, unknown>,
): { version: number; workers: Record<string, unknown>[] } {
  return {
    version: 2,
    ...(cluster !== undefined && { controller: { cluster } }),
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        roles: [{ name: "anonymous", permissions: [ALLOW_ALL] }],
      }],
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        paths,
      }],
    }],
  };
}

/** A running node process. */
export interface RunningNode {
  /** Its web transport, `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Stops it with SIGTERM (a clean stop) and removes its directory. */
  stop(): Promise<void>;
}

/** How {@link startNode} runs the node. */
export interface StartOptions {
  /** Deno flags before `main.ts` (e.g. `--cpu-prof`). */
  readonly denoArgs?: readonly string[];
  /** Arguments after `start --cbdir DIR` (e.g. `--processes 2`). */
  readonly startArgs?: readonly string[];
  /** The log line that says it is ready. @default {/Node started/} */
  readonly ready?: RegExp;
  /** How many times `ready` must appear. @default {1} */
  readonly readyCount?: number;
}

/** Starts `main.ts start` with `config` and waits until it is ready. */
export async function startNode(
  config: unknown,
  options: StartOptions = {},
): Promise<RunningNode> {
  const ready = new RegExp(options.ready?.source ?? "Node started", "g");
  const readyCount = options.readyCount ?? 1;
  const dir = await Deno.makeTempDir({ prefix: "cluster_bench_" });
  await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config));
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...(options.denoArgs ?? []),
      MAIN,
      "start",
      "--cbdir",
      dir,
      ...(options.startArgs ?? []),
    ],
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let text = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let url: string | undefined;
  while (url === undefined || (text.match(ready) ?? []).length < readyCount) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`node exited:\n${text}`);
    text += value;
    url ??= text.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}
