/**
 * Turns Deno's permission errors into advice for a hosted app: Deno's text
 * names a command-line flag (`--allow-env`), which is wrong here; what to
 * change is the path's `permissions` in the node config.
 *
 * @module
 */

const REQUIRES =
  /Requires (read|write|net|env|run|ffi|sys|import) access to "?([^",]*)"?/;

/**
 * Rewrites a `NotCapable` message.
 *
 * @param message Deno's message.
 * @param mount The path whose `permissions` to extend.
 * @returns The message with advice, or `message` unchanged.
 *
 * @example
 * ```ts
 * import { permissionHint } from "./_hints.ts";
 * const text = permissionHint(
 *   'Requires env access to "HOME", run again with the --allow-env flag',
 *   "/app",
 * );
 * if (!text.includes('"permissions": {"env": ["HOME"]}')) throw new Error(text);
 * ```
 */
export function permissionHint(message: string, mount: string): string {
  const match = REQUIRES.exec(message);
  if (match === null) return message;
  const kind = match[1]!;
  const what = match[2]!;
  const value = what === "" ? "true" : JSON.stringify([what]);
  return `Requires ${kind} access to ${
    what === "" ? "everything" : `"${what}"`
  }: grant it in the "permissions" of path "${mount}" in the node config, e.g. "permissions": {"${kind}": ${value}}`;
}
