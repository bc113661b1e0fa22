/**
 * What the HTTP benches share: `--name value` options, the median of the
 * rounds, and one `wrk` run against a loopback port.
 */

/** The number after `--<name>` on the command line, else `fallback`. */
export function option(name: string, fallback: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
}

/** The median of `values` (the upper one of an even count). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Requests/s from one `wrk -t1` run of `seconds` with `connections` open
 * against `http://127.0.0.1:<port>/`; throws on any non-2xx answer.
 */
export async function wrk(
  port: number,
  seconds: number,
  connections: number,
): Promise<number> {
  const out = await new Deno.Command("wrk", {
    args: [
      "-t1",
      `-c${connections}`,
      `-d${seconds}s`,
      `http://127.0.0.1:${port}/`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const match = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!match) throw new Error(`Unexpected wrk output: ${text}`);
  if (/Non-2xx/.test(text)) throw new Error(`Errors in wrk run: ${text}`);
  return Number(match[1]);
}
