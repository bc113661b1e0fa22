/**
 * Reads a project's `deno.jsonc`/`deno.json`: JSON with comments and
 * trailing commas, as Deno accepts it. Only what the launcher needs; the
 * node's config reader (`lib/config/`) keeps positions, this does not.
 *
 * @module
 */

/**
 * Parses JSONC text.
 *
 * @param text The file's text.
 * @returns The value.
 * @throws {SyntaxError} When the text is not JSON once comments and trailing
 * commas are taken out.
 */
export function parseJsonc(text: string): unknown {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out.replace(/,(\s*[\]}])/g, "$1"));
}

function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i + 1;
}
