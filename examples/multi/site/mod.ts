/**
 * The site at `/`: a Deno Deploy-style `export default { fetch }` app. It
 * gets no permissions beyond reading its own folder, so the environment and
 * the API's data folder are out of its reach.
 *
 * @module
 */

function attempt(what: () => unknown): string {
  try {
    return `allowed (${JSON.stringify(what())})`;
  } catch (error) {
    return `denied (${(error as Error).name})`;
  }
}

export default {
  fetch(request: Request): Response {
    const path = new URL(request.url).pathname;
    if (path !== "/") return new Response("Not Found\n", { status: 404 });
    const env = attempt(() => Deno.env.get("GREETING"));
    const data = attempt(() =>
      Deno.readTextFileSync(new URL("../data/items.json", import.meta.url))
        .length
    );
    const html = `<!DOCTYPE html>
<html>
  <body>
    <h1>Two apps, one port</h1>
    <p>This page comes from <code>site/mod.ts</code>; the JSON API at
      <a href="/api/items">/api/items</a> from <code>api/mod.ts</code>.</p>
    <ul>
      <li id="env">Reading GREETING from here: ${env}</li>
      <li id="data">Reading data/items.json from here: ${data}</li>
    </ul>
  </body>
</html>
`;
    return new Response(html, {
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  },
};
