/**
 * The node's pid file, `node.pid` in the node directory (as Crossbar
 * writes it): JSON with the pid, the start time and the command line. `start`
 * writes it and removes it on exit; `stop`, `status` and `reload` read it.
 *
 * @module
 */
import { join } from "node:path";

/** The file name inside the node directory. */
export const PID_FILE = "node.pid";

/** What the pid file holds. */
export interface PidRecord {
  /** The node process. */
  readonly pid: number;
  /** When it started (ISO 8601). */
  readonly started: string;
  /** Its command line arguments. */
  readonly argv: readonly string[];
  /** The Deno executable. */
  readonly executable: string;
}

/** Where the pid file of a node directory is. */
export function pidFilePath(cbdir: string): string {
  return join(cbdir, PID_FILE);
}

/**
 * Reads the pid file.
 *
 * @param cbdir The node directory.
 * @returns The record, or `undefined` when there is no (readable) file.
 */
export async function readPidFile(
  cbdir: string,
): Promise<PidRecord | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(pidFilePath(cbdir));
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(text) as Partial<PidRecord>;
    if (!Number.isInteger(record.pid) || (record.pid ?? 0) <= 0) {
      return undefined;
    }
    return {
      pid: record.pid!,
      started: String(record.started ?? ""),
      argv: Array.isArray(record.argv) ? record.argv.map(String) : [],
      executable: String(record.executable ?? ""),
    };
  } catch {
    return undefined;
  }
}

/**
 * Writes this process's pid file.
 *
 * @param cbdir The node directory.
 * @returns A function that removes the file if it still names this process.
 */
export async function writePidFile(cbdir: string): Promise<() => void> {
  const record: PidRecord = {
    pid: Deno.pid,
    started: new Date().toISOString(),
    argv: Deno.args,
    executable: Deno.execPath(),
  };
  const path = pidFilePath(cbdir);
  await Deno.writeTextFile(path, JSON.stringify(record, null, 2) + "\n");
  return () => {
    try {
      const now = JSON.parse(Deno.readTextFileSync(path)) as PidRecord;
      if (now.pid === Deno.pid) Deno.removeSync(path);
    } catch {
      // Already gone or replaced.
    }
  };
}

/**
 * Whether a process with this pid is alive (not a zombie).
 *
 * @param pid The process id.
 * @returns `true` while it runs.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const state = stat.slice(
      stat.lastIndexOf(")") + 2,
      stat.lastIndexOf(")") + 3,
    );
    return state !== "Z" && state !== "X";
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return signalProbe(pid);
    return hasProc() ? false : signalProbe(pid);
  }
}

/**
 * Whether the pid file names a running node: the process is alive and, where
 * `/proc` tells, runs the node's `main.ts` or the compiled binary (a pid
 * reused by an unrelated process after a crash does not count).
 *
 * @param record The pid file's record.
 * @returns `true` for a running node.
 */
export function isRunningNode(record: PidRecord): boolean {
  if (!isAlive(record.pid)) return false;
  try {
    const args = Deno.readTextFileSync(`/proc/${record.pid}/cmdline`)
      .split("\0");
    // `deno run … main.ts`, or a compiled binary running itself.
    const compiled = !/(^|\/)deno$/.test(record.executable) &&
      args[0] === record.executable;
    return compiled || args.some((arg) => arg.endsWith("main.ts"));
  } catch {
    return true;
  }
}

function hasProc(): boolean {
  try {
    Deno.statSync("/proc/self");
    return true;
  } catch {
    return false;
  }
}

/** Where there is no /proc: a harmless signal tells whether the pid exists. */
function signalProbe(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}
