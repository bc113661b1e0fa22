/**
 * One sandboxed gunicorn server for one Python `wsgi` path: started in
 * bubblewrap on a unix socket in a private folder, watched, restarted with
 * backoff when it dies, and stopped with the node.
 *
 * Lifecycle:
 * 1. `start()` spawns `bwrap … /usr/bin/python3 /usr/bin/gunicorn` with
 *    `--preload`, so the app is imported before anything is served; an
 *    import error ends the process and `start()` rejects with the
 *    traceback's last lines.
 * 2. The `when_ready` hook (`python/crossbar_pyhost_conf.py`) prints
 *    `crossbar-pyhost: ready`; `start()` resolves.
 * 3. gunicorn replaces its own workers (a crash, or the timeout watchdog of
 *    `python/crossbar_pyhost_wsgi.py`); should the whole server die, it is
 *    started again after 0.5 s, 1 s, 2 s, … (at most 30 s).
 * 4. `close()` sends SIGTERM to bwrap, which takes the server with it.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Logger } from "../log/mod.ts";
import { forEachLine } from "./_lines.ts";
import { BWRAP, sandboxCommand, type SandboxOptions } from "./sandbox.ts";

/** Debian's Python interpreter (never a pyenv one from PATH). */
export const PYTHON = "/usr/bin/python3";
/** Debian's gunicorn. */
export const GUNICORN = "/usr/bin/gunicorn";
/** The folder of the node's own Python helpers (mounted read-only). */
export const HELPER_DIR: string = fileURLToPath(
  new URL("./python", import.meta.url),
);

const READY_LINE = "crossbar-pyhost: ready";
const TAIL_LINES = 20;
const MAX_BACKOFF_MS = 30_000;

/** Options for {@link GunicornProcess}. */
export interface GunicornOptions {
  /** The unix socket gunicorn binds (inside `socketDir`). */
  readonly socket: string;
  /** gunicorn worker processes. */
  readonly workers: number;
  /** Threads per worker process. */
  readonly threads: number;
  /** The sandbox (mounts, environment, network). */
  readonly sandbox: SandboxOptions;
  /** Where the server's output goes. */
  readonly logger: Logger;
}

/** Says that the app could not be started (before it served anything). */
export class PythonStartError extends Error {
  /** The last lines the process wrote to stderr. */
  readonly output: string[];

  /**
   * @param message What failed.
   * @param output The process's last stderr lines.
   */
  constructor(message: string, output: string[]) {
    super(message);
    this.name = "PythonStartError";
    this.output = output;
  }
}

/** A supervised gunicorn server. */
export class GunicornProcess {
  readonly #options: GunicornOptions;
  #child: Deno.ChildProcess | undefined;
  #closed = false;
  #backoff = 500;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #exited: Promise<unknown> = Promise.resolve();

  /** @param options Socket, pool size, sandbox and logger. */
  constructor(options: GunicornOptions) {
    this.#options = options;
  }

  /**
   * Starts the server and resolves once it serves.
   *
   * @throws {PythonStartError} When the process exits first (an import
   * error, a missing object, bwrap or gunicorn missing).
   */
  start(): Promise<void> {
    const o = this.#options;
    const command = [
      PYTHON,
      GUNICORN,
      "--config",
      `${HELPER_DIR}/crossbar_pyhost_conf.py`,
      "--bind",
      `unix:${o.socket}`,
      "--workers",
      String(o.workers),
      // One thread: gunicorn's sync worker (one connection at a time).
      // More: gthread, accepting only what its threads can run, and closing
      // each connection after its response. Either way waiting requests
      // stay in the socket's backlog, where any healthy worker takes them,
      // instead of queueing inside a worker that may be replaced.
      ...(o.threads === 1 ? ["--worker-class", "sync"] : [
        "--worker-class",
        "gthread",
        "--threads",
        String(o.threads),
        "--worker-connections",
        String(o.threads),
        "--keep-alive",
        "0",
      ]),
      // The path's `timeout` (default 30 s, gunicorn's own default) reaches
      // every worker as CROSSBAR_WSGI_TIMEOUT, whose watchdog bounds each
      // request under sync and gthread alike; gunicorn's heartbeat timeout
      // would not bound a gthread request, so it is off.
      "--timeout",
      "0",
      "--preload",
      "--forwarded-allow-ips",
      "*",
      "crossbar_pyhost_wsgi:application",
    ];
    let child: Deno.ChildProcess;
    try {
      child = sandboxCommand(command, o.sandbox).spawn();
    } catch (error) {
      return Promise.reject(
        new PythonStartError(
          `Cannot start the sandbox "${BWRAP}": ${
            error instanceof Error ? error.message : String(error)
          } (install Debian's bubblewrap)`,
          [],
        ),
      );
    }
    this.#child = child;
    const tail: string[] = [];
    let ready = false;
    return new Promise<void>((resolve, reject) => {
      const stderr = forEachLine(child.stderr, (line) => {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        logLine(o.logger, line);
      });
      const stdout = forEachLine(child.stdout, (line) => {
        if (line === READY_LINE && !ready) {
          ready = true;
          this.#backoff = 500;
          resolve();
        } else if (line !== "") o.logger.info(line);
      });
      this.#exited = Promise.all([child.status, stderr, stdout]).then(
        ([status]) => {
          if (this.#child === child) this.#child = undefined;
          if (!ready) {
            reject(
              new PythonStartError(
                `the Python app exited with code ${status.code} before it was ready`,
                tail,
              ),
            );
          } else if (!this.#closed) {
            this.#restartLater(status.code);
          }
        },
      );
    });
  }

  #restartLater(code: number): void {
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#options.logger.error(
      `the Python app server exited with code ${code}; restarting in ${delay} ms`,
    );
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.start().then(
        () => this.#options.logger.info("the Python app server is back"),
        (error: PythonStartError) => {
          this.#options.logger.error(
            `${error.message}: ${error.output.join("\n")}`,
          );
          if (!this.#closed) this.#restartLater(-1);
        },
      );
    }, delay);
  }

  /** Stops the server (SIGTERM to the sandbox) and waits for it. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    try {
      this.#child?.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await this.#exited.catch(() => {});
  }
}

function logLine(logger: Logger, line: string): void {
  if (line === "") return;
  // gunicorn's own lines: "[time] [pid] [LEVEL] message".
  const level = /^\[[^\]]+\] \[\d+\] \[([A-Z]+)\] /.exec(line)?.[1];
  const text = level === undefined
    ? line
    : line.replace(/^\[[^\]]+\] \[\d+\] /, "");
  if (level === "ERROR" || level === "CRITICAL") logger.error(text);
  else if (level === "WARNING") logger.warn(text);
  else if (level === "DEBUG") logger.debug(text);
  else if (level === undefined) logger.warn(text);
  else logger.info(text);
}
