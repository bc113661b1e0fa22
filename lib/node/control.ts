/**
 * The commands that act on a running node through its pid file:
 * `stop` (SIGTERM, then wait until it has exited), `status` (running or
 * stopped, with pid and uptime) and `reload` (SIGHUP).
 *
 * @module
 */
import {
  isAlive,
  isRunningNode,
  pidFilePath,
  type PidRecord,
  readPidFile,
} from "./pid_file.ts";
import { readReloadStatus } from "./reload_status.ts";

/** Exit code of `status` for a stopped node (LSB init scripts' "not running"). */
export const EXIT_NOT_RUNNING = 3;

/** Options for the control commands. */
export interface ControlOptions {
  /** The node directory (absolute). */
  readonly cbdir: string;
  /** Prints one line. */
  readonly print: (line: string) => void;
  /** How long `stop` waits for the node to exit, in ms. @default {30000} */
  readonly timeout?: number;
}

/**
 * `status`: says whether the node of `cbdir` runs, with pid and uptime.
 *
 * @param options Node directory and output.
 * @returns 0 when running, {@link EXIT_NOT_RUNNING} otherwise.
 */
export async function runStatus(options: ControlOptions): Promise<number> {
  const record = await running(options);
  if (record === undefined) return EXIT_NOT_RUNNING;
  const started = Date.parse(record.started);
  const uptime = Number.isNaN(started)
    ? "unknown"
    : duration(Date.now() - started);
  options.print(
    `Node running: pid ${record.pid}, up ${uptime} (since ${record.started})`,
  );
  return 0;
}

/**
 * `stop`: sends SIGTERM to the node of `cbdir` and waits until it exits.
 *
 * @param options Node directory, output and how long to wait.
 * @returns 0 once stopped (or when none was running), 1 when it did not exit
 * in time.
 */
export async function runStop(options: ControlOptions): Promise<number> {
  const record = await running(options);
  if (record === undefined) return 0;
  options.print(`Stopping node (pid ${record.pid}) …`);
  try {
    Deno.kill(record.pid, "SIGTERM");
  } catch (error) {
    options.print(
      `Cannot signal pid ${record.pid}: ${(error as Error).message}`,
    );
    return 1;
  }
  const deadline = Date.now() + (options.timeout ?? 30_000);
  while (isAlive(record.pid)) {
    if (Date.now() > deadline) {
      options.print(`Node (pid ${record.pid}) has not exited yet`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  options.print(`Node stopped (pid ${record.pid})`);
  return 0;
}

/**
 * `reload`: sends SIGHUP to the node of `cbdir` and waits for the outcome
 * the node records in `node.reload`.
 *
 * @param options Node directory, output and how long to wait.
 * @returns 0 when the new config is in effect, 1 when the node refused it
 * (it keeps running as it was) or did not answer in time,
 * {@link EXIT_NOT_RUNNING} when no node runs.
 */
export async function runReload(options: ControlOptions): Promise<number> {
  const record = await running(options);
  if (record === undefined) return EXIT_NOT_RUNNING;
  const before = await readReloadStatus(options.cbdir);
  const sent = new Date().toISOString();
  Deno.kill(record.pid, "SIGHUP");
  options.print(`Reloading node (SIGHUP to pid ${record.pid}) …`);
  const deadline = Date.now() + (options.timeout ?? 60_000);
  while (Date.now() <= deadline) {
    const status = await readReloadStatus(options.cbdir);
    if (
      status !== undefined && status.pid === record.pid &&
      status.time >= sent && status.time !== before?.time
    ) {
      if (status.ok) {
        for (const line of status.messages) options.print(line);
        return 0;
      }
      options.print(
        "Reload failed; the node keeps running with its current configuration:",
      );
      for (const line of status.messages) options.print(`  ${line}`);
      return 1;
    }
    if (!isAlive(record.pid)) {
      options.print(`The node (pid ${record.pid}) exited`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  options.print("No answer from the node yet; see its log");
  return 1;
}

async function running(
  options: ControlOptions,
): Promise<PidRecord | undefined> {
  const record = await readPidFile(options.cbdir);
  if (record === undefined) {
    options.print(`Node stopped (no ${pidFilePath(options.cbdir)})`);
    return undefined;
  }
  if (!isRunningNode(record)) {
    options.print(
      `Node stopped (stale ${
        pidFilePath(options.cbdir)
      }: pid ${record.pid} is not running)`,
    );
    return undefined;
  }
  return record;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const parts = [
    [Math.floor(s / 86400), "d"],
    [Math.floor(s / 3600) % 24, "h"],
    [Math.floor(s / 60) % 60, "m"],
    [s % 60, "s"],
  ] as const;
  const shown = parts.filter(([n], i) => n > 0 || i === parts.length - 1);
  return shown.map(([n, unit]) => `${n}${unit}`).join(" ");
}
