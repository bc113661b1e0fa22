/**
 * Test helpers for whole nodes: start one in-process from a node directory
 * (with its tcp endpoints moved to a free loopback port), and run the CLI
 * as a child process.
 */
import { resolve } from "node:path";
import { loadConfig } from "../../lib/config/mod.ts";
import { SILENT_LOGGER } from "../../lib/log/mod.ts";
import { type Node, startNode } from "../../lib/node/mod.ts";

/** The repository root. */
export const REPO_ROOT: string = resolve(import.meta.dirname!, "../..");

/**
 * Loads `<cbdir>/config.json` as `start` would, moves every tcp endpoint to
 * 127.0.0.1 port 0, and starts the node in-process.
 */
export async function startNodeDir(cbdir: string): Promise<Node> {
  const loaded = await loadConfig(resolve(cbdir, "config.json"), {
    env: Deno.env.toObject(),
  });
  for (const worker of loaded.config.workers) {
    if (worker.type !== "router") continue;
    for (const transport of worker.transports) {
      const endpoint = transport.endpoint as {
        type: string;
        port?: number;
        interface?: string;
      };
      if (endpoint.type === "tcp") {
        endpoint.port = 0;
        endpoint.interface = "127.0.0.1";
      }
    }
  }
  return await startNode({
    config: loaded.config,
    cbdir: loaded.cbdir,
    logger: SILENT_LOGGER,
  });
}

/** A free loopback tcp port (closed again before returning). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A CLI process started by {@link spawnCli}. */
export interface CliProcess extends AsyncDisposable {
  /** Resolves with the first stderr line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends a signal. */
  kill(signal?: Deno.Signal): void;
  /** The process id. */
  readonly pid: number;
  /** Resolves with the exit status. */
  readonly status: Promise<Deno.CommandStatus>;
}

/** What a finished `main.ts` run printed. */
export interface CliOutput {
  /** Exit code. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/** Runs `main.ts` with `args` to the end and collects its output. */
export async function runCli(
  args: string[],
  cwd = REPO_ROOT,
): Promise<CliOutput> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", resolve(REPO_ROOT, "main.ts"), ...args],
    cwd,
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return {
    code: output.code,
    stdout: decode(output.stdout),
    stderr: decode(output.stderr),
  };
}

/** Runs `main.ts` with `args` as a child process, reading its stderr. */
export function spawnCli(args: string[], cwd = REPO_ROOT): CliProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", resolve(REPO_ROOT, "main.ts"), ...args],
    cwd,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let text = "";
  const waiters = new Set<() => void>();
  const reading = (async () => {
    for await (
      const chunk of child.stderr.pipeThrough(new TextDecoderStream())
    ) {
      text += chunk;
      for (const wake of waiters) wake();
    }
    for (const wake of waiters) wake();
  })();
  const status = child.status.then(async (s) => {
    await reading;
    return s;
  });
  let done = false;
  status.then(() => done = true);
  return {
    stderr: () => text,
    pid: child.pid,
    kill: (signal = "SIGTERM") => {
      if (!done) child.kill(signal);
    },
    status,
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolveLine, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out waiting for ${pattern}; got:\n${text}`));
        }, timeoutMs);
        const check = () => {
          // Complete lines only (a line can arrive in pieces), and the
          // last one once the process has ended.
          const lines = text.split("\n");
          if (!done) lines.pop();
          const line = lines.find((l) => pattern.test(l));
          if (line !== undefined || done) {
            waiters.delete(check);
            clearTimeout(timer);
            if (line !== undefined) resolveLine(line);
            else reject(new Error(`Exited before ${pattern}; got:\n${text}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async [Symbol.asyncDispose]() {
      if (!done) child.kill("SIGKILL");
      await status;
    },
  };
}
