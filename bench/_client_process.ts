/**
 * Runs a bench client script in its own process (so the node's thread is
 * measured alone) and reads the `{ "count": n, "seconds": s }` line it
 * prints last.
 */
import type { PumpResult } from "./_pump.ts";

/** Runs `client` with `scenario` as its JSON argument; throws if it fails. */
export async function runClientProcess(
  client: string,
  scenario: Record<string, unknown>,
): Promise<PumpResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", client, JSON.stringify(scenario)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    const errors = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`bench client failed: ${text}\n${errors}`);
  }
  return JSON.parse(text.split("\n").at(-1)!) as PumpResult;
}
