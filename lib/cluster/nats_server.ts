/**
 * A local `nats-server` child process for a node that runs several
 * processes without a configured NATS: loopback only, a free port, stopped
 * with the node.
 *
 * @module
 */
import { ClusterError } from "./errors.ts";

/** Options for {@link startNatsServer}. */
export interface NatsServerOptions {
  /** The binary, by path or by name on `PATH`. @default {"nats-server"} */
  readonly binary?: string;
  /** Port on 127.0.0.1. @default {a free port} */
  readonly port?: number;
  /** How long to wait for "Server is ready". @default {10000} */
  readonly startTimeout?: number;
  /** More arguments, e.g. `["-c", "nats.conf"]` (a TLS config). */
  readonly args?: readonly string[];
}

/** A running `nats-server` child. */
export interface NatsServer extends AsyncDisposable {
  /** Its URL, `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its port. */
  readonly port: number;
  /** Its process id. */
  readonly pid: number;
  /** Resolves when the process has exited (for any reason). */
  readonly exited: Promise<Deno.CommandStatus>;
  /** Stops it (SIGTERM, then SIGKILL after 2 s); idempotent. */
  close(): Promise<void>;
}

/**
 * Picks a free TCP port on 127.0.0.1 (bound, read and released).
 *
 * @returns The port number.
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Starts `nats-server -a 127.0.0.1 -p <port>` and waits until it is ready.
 *
 * @param options Binary, port, start timeout.
 * @returns The running server.
 * @throws {ClusterError} When the binary is missing or the server does not
 * come up (with its output).
 */
export async function startNatsServer(
  options: NatsServerOptions = {},
): Promise<NatsServer> {
  const binary = options.binary ?? "nats-server";
  const port = options.port ?? freePort();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(binary, {
      args: ["-a", "127.0.0.1", "-p", String(port), ...(options.args ?? [])],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new ClusterError(
        `Cannot start the cluster's local NATS server: "${binary}" was not found. Install it (Debian/Ubuntu: apt-get install nats-server), or set controller.cluster.nats.servers to a running NATS server`,
      );
    }
    throw new ClusterError(
      `Cannot start the cluster's local NATS server "${binary}": ${
        (error as Error).message
      }`,
    );
  }
  const exited = child.status;
  const output = await waitReady(
    child.stderr,
    exited,
    options.startTimeout ?? 10_000,
  );
  if (output !== undefined) {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await exited;
    throw new ClusterError(
      `The cluster's local NATS server "${binary}" on port ${port} did not start: ${output}`,
    );
  }
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, 2000);
      await exited;
      clearTimeout(timer);
    })();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    exited,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Reads the server's log until "Server is ready"; keeps draining it after.
 * Resolves with `undefined` when ready, else with what went wrong.
 */
async function waitReady(
  stderr: ReadableStream<Uint8Array>,
  exited: Promise<Deno.CommandStatus>,
  timeoutMs: number,
): Promise<string | undefined> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`no "Server is ready" within ${timeoutMs} ms`),
      timeoutMs,
    );
  });
  const ready = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        const status = await exited;
        return `it exited with code ${status.code}: ${lastLines(seen)}`;
      }
      seen += value;
      if (seen.includes("Server is ready")) return undefined;
      if (seen.length > 20_000) seen = seen.slice(-10_000);
    }
  })();
  const result = await Promise.race([ready, timeout]);
  clearTimeout(timer);
  if (result === undefined) {
    // Keep reading so that the child never blocks on a full pipe.
    (async () => {
      try {
        while (!(await reader.read()).done) { /* discard */ }
      } catch { /* closed */ }
    })();
  }
  return result;
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-3).map((l) => l.trim()).join(" | ");
}
