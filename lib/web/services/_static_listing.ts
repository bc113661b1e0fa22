/**
 * The static service's directory listing page.
 *
 * @module
 */
import { escapeHtml } from "./_static_http.ts";

/**
 * Renders a plain HTML listing of `directory`, titled with the (decoded)
 * URL path. Hidden entries (leading dot) are left out; folders come first
 * and end with `/`; every name is escaped and its link percent-encoded.
 */
export async function renderListing(
  directory: string,
  urlPath: string,
): Promise<string> {
  const entries: { name: string; folder: boolean }[] = [];
  for await (const entry of Deno.readDir(directory)) {
    if (entry.name.startsWith(".")) continue;
    let folder = entry.isDirectory;
    if (entry.isSymlink) {
      folder = await Deno.stat(`${directory}/${entry.name}`)
        .then((info) => info.isDirectory, () => false);
    }
    entries.push({ name: entry.name, folder });
  }
  entries.sort((a, b) =>
    a.folder === b.folder ? a.name.localeCompare(b.name) : (a.folder ? -1 : 1)
  );
  const title = escapeHtml(`Index of ${urlPath}`);
  const items = entries.map(({ name, folder }) => {
    const href = encodeURIComponent(name) + (folder ? "/" : "");
    const label = escapeHtml(name + (folder ? "/" : ""));
    return `<li><a href="${escapeHtml(href)}">${label}</a></li>`;
  });
  if (urlPath !== "/") items.unshift(`<li><a href="../">../</a></li>`);
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1>${title}</h1>
<ul>
${items.join("\n")}
</ul></body></html>
`;
}
