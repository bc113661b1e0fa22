/**
 * The outcome of the last reload, `node.reload` in the node directory
 * (JSON), so that `crossbar-deno reload` can wait for it and exit 0 or 1.
 *
 * @module
 */
import { join } from "node:path";

/** What `node.reload` holds. */
export interface ReloadStatus {
  /** The node process that reloaded. */
  readonly pid: number;
  /** When the reload finished (ISO 8601). */
  readonly time: string;
  /** Whether the new config is in effect. */
  readonly ok: boolean;
  /** The summary, or every error. */
  readonly messages: readonly string[];
}

/** Where the file is. */
export function reloadStatusPath(cbdir: string): string {
  return join(cbdir, "node.reload");
}

/**
 * Records a reload's outcome (best effort: a read-only node directory only
 * costs the `reload` command its answer).
 *
 * @param cbdir The node directory.
 * @param ok Whether it succeeded.
 * @param messages Summary or errors.
 */
export async function writeReloadStatus(
  cbdir: string,
  ok: boolean,
  messages: readonly string[],
): Promise<void> {
  const status: ReloadStatus = {
    pid: Deno.pid,
    time: new Date().toISOString(),
    ok,
    messages,
  };
  try {
    await Deno.writeTextFile(
      reloadStatusPath(cbdir),
      JSON.stringify(status) + "\n",
    );
  } catch {
    // Nowhere to write it: the log still says what happened.
  }
}

/**
 * Reads the last outcome.
 *
 * @param cbdir The node directory.
 * @returns The outcome, or `undefined` when there is none (readable).
 */
export async function readReloadStatus(
  cbdir: string,
): Promise<ReloadStatus | undefined> {
  try {
    const value = JSON.parse(
      await Deno.readTextFile(reloadStatusPath(cbdir)),
    ) as ReloadStatus;
    return typeof value.pid === "number" && typeof value.time === "string"
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}
