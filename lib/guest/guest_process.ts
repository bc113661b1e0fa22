/**
 * A guest worker: any program, started with the node and stopped with it,
 * as Crossbar runs them, plus an opt-in restart policy. Lifecycle:
 *
 * 1. `startGuest()` finds the executable (a file in `options.workdir`,
 *    else on `PATH`; else the start fails), builds the environment
 *    (inherited whole, or only the listed names, then `vars`, then
 *    `PYTHONUNBUFFERED=1` unless set) and spawns it in `workdir`. Started
 *    means spawned: there is no readiness check (as in Crossbar).
 * 2. stdin gets the configured JSON value (then closes, unless `close` is
 *    false) or is closed; each non-empty stdout/stderr line is logged under
 *    the worker's id (`log`), or the stream is discarded (`close`, `drop`).
 * 3. An exit is logged with its code or signal. With `restart` (ours), the
 *    program starts again after a backoff; with `watch`, a change in the
 *    watched folders stops it (SIGTERM) and starts it again after
 *    `watch.timeout` seconds.
 * 4. `close()` (node shutdown) sends SIGTERM, and SIGKILL after
 *    `stop_timeout` seconds.
 *
 * @module
 */
import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { GuestWorkerConfig } from "../config/schema.ts";
import type { Logger } from "../log/mod.ts";
import { forEachLine } from "../pyhost/_lines.ts";

/** A guest worker cannot be started. */
export class GuestStartError extends Error {
  /** @param message What failed. */
  constructor(message: string) {
    super(message);
    this.name = "GuestStartError";
  }
}

/** What a guest worker needs from the node. */
export interface GuestEnv {
  /** The node directory. */
  readonly cbdir: string;
  /** The worker's logger (its source names the worker). */
  readonly logger: Logger;
  /** The worker's position in the config, for messages. */
  readonly where: string;
}

/**
 * Starts a guest worker.
 *
 * @param config The worker's config.
 * @param env Node directory and logger.
 * @returns The running guest.
 * @throws {GuestStartError} When the executable cannot be found or run.
 */
export async function startGuest(
  config: GuestWorkerConfig,
  env: GuestEnv,
): Promise<GuestProcess> {
  const guest = new GuestProcess(config, env);
  if (!config.options.disabled) await guest.start();
  return guest;
}

/** A supervised guest program. */
export class GuestProcess {
  readonly #config: GuestWorkerConfig;
  readonly #env: GuestEnv;
  readonly #workdir: string;
  #executable = "";
  #child: Deno.ChildProcess | undefined;
  #exited: Promise<Deno.CommandStatus> | undefined;
  #closed = false;
  #delay: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #watcher: Deno.FsWatcher | undefined;
  #restarting = false;
  #runs = 0;

  /**
   * @param config The worker's config.
   * @param env Node directory and logger.
   */
  constructor(config: GuestWorkerConfig, env: GuestEnv) {
    this.#config = config;
    this.#env = env;
    this.#workdir = resolve(env.cbdir, config.options.workdir);
    this.#delay = config.options.restart.delay;
  }

  /** The process id of the running program, if any. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** How many times the program has been started. */
  get runs(): number {
    return this.#runs;
  }

  /**
   * Finds the executable and spawns the program.
   *
   * @throws {GuestStartError} When it cannot be found or spawned.
   */
  async start(): Promise<void> {
    this.#executable = await findExecutable(
      this.#config.executable,
      this.#workdir,
      this.#environment().PATH ?? Deno.env.get("PATH") ?? "",
    ) ?? "";
    if (this.#executable === "") {
      throw new GuestStartError(
        `${this.#env.where}: could not find an executable for "${this.#config.executable}" (looked in "${this.#workdir}" and on PATH)`,
      );
    }
    this.#spawn();
    this.#watch();
  }

  #environment(): Record<string, string> {
    const { inherit, vars } = this.#config.options.env;
    const all = Deno.env.toObject();
    const result: Record<string, string> = inherit === true
      ? { ...all }
      : inherit === false
      ? {}
      : Object.fromEntries(
        inherit.filter((name) => name in all).map((name) => [name, all[name]!]),
      );
    Object.assign(result, vars);
    result.PYTHONUNBUFFERED ??= "1";
    return result;
  }

  #spawn(): void {
    const o = this.#config.options;
    const logger = this.#env.logger;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(this.#executable, {
        args: this.#config.arguments,
        cwd: this.#workdir,
        clearEnv: true,
        env: this.#environment(),
        stdin: o.stdin === "close" ? "null" : "piped",
        stdout: o.stdout === "log" ? "piped" : "null",
        stderr: o.stderr === "log" ? "piped" : "null",
      }).spawn();
    } catch (error) {
      throw new GuestStartError(
        `${this.#env.where}: cannot start "${this.#executable}": ${
          (error as Error).message
        }`,
      );
    }
    this.#child = child;
    this.#runs++;
    const startedAt = Date.now();
    logger.info(
      `started "${this.#executable}" ${
        JSON.stringify(this.#config.arguments)
      } in "${this.#workdir}" (pid ${child.pid})`,
    );
    if (o.stdin !== "close") void this.#feed(child, o.stdin);
    const reading = [
      o.stdout === "log" ? forEachLine(child.stdout, (l) => log(logger, l)) : 0,
      o.stderr === "log" ? forEachLine(child.stderr, (l) => log(logger, l)) : 0,
    ];
    const exited = this.#exited = child.status;
    void exited.then(async (status) => {
      await Promise.all(reading);
      if (this.#child === child) this.#child = undefined;
      const how = status.signal !== null
        ? `was killed by ${status.signal}`
        : `exited with code ${status.code}`;
      if (this.#closed || this.#restarting) {
        logger.info(`pid ${child.pid} ${how}`);
        return;
      }
      (status.success ? logger.info : logger.warn).call(
        logger,
        `pid ${child.pid} ${how}`,
      );
      this.#afterExit(status, startedAt);
    });
  }

  async #feed(
    child: Deno.ChildProcess,
    stdin: Exclude<GuestWorkerConfig["options"]["stdin"], "close">,
  ): Promise<void> {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(new TextEncoder().encode(JSON.stringify(stdin.value)));
      if (stdin.close) await writer.close();
      else writer.releaseLock();
    } catch {
      // The program closed its stdin first.
    }
  }

  #afterExit(status: Deno.CommandStatus, startedAt: number): void {
    const { policy, delay: first, max_delay } = this.#config.options.restart;
    if (policy === "never" || (policy === "on-failure" && status.success)) {
      return;
    }
    if (Date.now() - startedAt > 10 * this.#delay * 1000) this.#delay = first;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, max_delay);
    this.#env.logger.info(`restarting in ${delay} s`);
    this.#timer = setTimeout(() => this.#respawn(), delay * 1000);
  }

  #respawn(): void {
    this.#timer = undefined;
    if (this.#closed) return;
    try {
      this.#spawn();
    } catch (error) {
      this.#env.logger.error((error as Error).message);
    }
  }

  #watch(): void {
    const watch = this.#config.options.watch;
    if (watch === undefined || this.#watcher !== undefined) return;
    const dirs = watch.directories.map((d) =>
      isAbsolute(d) ? d : resolve(this.#env.cbdir, d)
    );
    const watcher = this.#watcher = Deno.watchFs(dirs, { recursive: true });
    void (async () => {
      try {
        for await (const event of watcher) {
          if (this.#closed) break;
          if (event.kind === "access" || this.#restarting) continue;
          this.#env.logger.info(
            `${event.paths[0] ?? "a watched file"} changed: restarting`,
          );
          this.#restarting = true;
          await this.#stop();
          this.#timer = setTimeout(() => {
            this.#restarting = false;
            this.#respawn();
          }, watch.timeout * 1000);
        }
      } catch {
        // The watcher was closed.
      }
    })();
  }

  async #stop(): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    if (child === undefined || exited === undefined) return;
    try {
      child.kill("SIGTERM");
    } catch {
      return; // Already gone.
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<"late">((r) =>
      timer = setTimeout(
        () => r("late"),
        this.#config.options.stop_timeout * 1000,
      )
    );
    if (await Promise.race([exited, grace]) === "late") {
      this.#env.logger.warn(
        `pid ${child.pid} did not stop within ${this.#config.options.stop_timeout} s: SIGKILL`,
      );
      try {
        child.kill("SIGKILL");
      } catch {
        // Gone meanwhile.
      }
      await exited;
    }
    clearTimeout(timer);
  }

  /** Stops the program (SIGTERM, then SIGKILL after the grace). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
    await this.#stop();
  }
}

function log(logger: Logger, line: string): void {
  if (line.trim() !== "") logger.info(line);
}

async function findExecutable(
  name: string,
  workdir: string,
  path: string,
): Promise<string | undefined> {
  const local = resolve(workdir, name);
  if (await isExecutable(local)) return local;
  if (name.includes("/")) return undefined;
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}
