/**
 * The node that `init` writes: a config with a hosted app at `/`, a WAMP
 * endpoint at `/ws` (realm `realm1`, anonymous may do everything) and the
 * node info page at `/info`, plus the app itself.
 */
import { join, resolve } from "node:path";

const CONFIG = {
  version: 2,
  controller: {},
  workers: [
    {
      type: "router",
      options: { pythonpath: [".."] },
      realms: [
        {
          name: "realm1",
          roles: [
            {
              name: "anonymous",
              permissions: [
                {
                  uri: "",
                  match: "prefix",
                  allow: {
                    call: true,
                    register: true,
                    publish: true,
                    subscribe: true,
                  },
                  disclose: { caller: false, publisher: false },
                  cache: true,
                },
              ],
            },
          ],
        },
      ],
      transports: [
        {
          type: "web",
          // Loopback only; remove "interface" to listen on every interface.
          endpoint: { type: "tcp", port: 8080, interface: "127.0.0.1" },
          paths: {
            "/": { type: "wsgi", module: "app", object: "app" },
            ws: { type: "websocket" },
            info: { type: "nodeinfo" },
          },
        },
      ],
    },
  ],
};

const APP = `/**
 * A hosted app: any function from Request to Response (or an object with a
 * \`fetch\` method, such as a Hono app). It runs in a pool of workers; module
 * state such as \`visits\` lives on in each worker between requests.
 */
let visits = 0;

export function app(request: Request): Response {
  visits += 1;
  const path = new URL(request.url).pathname;
  const body = \`<!DOCTYPE html>
<html>
  <body>
    <h1>Hello from your Deno node</h1>
    <p>You asked for \${path}; this worker has served \${visits} request(s).</p>
    <p>WAMP clients connect to <code>ws://host:8080/ws</code>, realm <code>realm1</code>.</p>
  </body>
</html>
\`;
  return new Response(body, {
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}
`;

const README = `# A Crossbar-style node for Deno

- \`.crossbar/config.json\`: the node configuration (listens on 127.0.0.1:8080).
- \`app.ts\`: the web app served at \`/\`.

Add a \`deno.json\` with an \`imports\` map for your app's packages: hosted apps
resolve imports through it, as \`deno run\` would. \`import { wamp } from
"crossbar/app"\` (WAMP access for apps) needs no mapping: the node provides it.

Start it from this folder with \`crossbar-deno start\` (add \`--watch\` while
developing); \`crossbar-deno status\`, \`reload\` and \`stop\` act on it.
`;

/**
 * Writes the template into `appdir`.
 *
 * @param appdir Folder to create the node in (created if missing).
 * @returns The files written, config first.
 * @throws {Error} When `appdir/.crossbar/config.json` already exists.
 */
export async function writeNodeTemplate(appdir: string): Promise<string[]> {
  const root = resolve(appdir);
  const cbdir = join(root, ".crossbar");
  const configPath = join(cbdir, "config.json");
  try {
    await Deno.lstat(configPath);
    throw new Error(
      `Cannot create a node in "${root}": "${configPath}" already exists`,
    );
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(cbdir, { recursive: true });
  const files: [string, string][] = [
    [configPath, JSON.stringify(CONFIG, null, 2) + "\n"],
    [join(root, "app.ts"), APP],
    [join(root, "README.md"), README],
  ];
  for (const [path, text] of files) {
    await Deno.writeTextFile(path, text, { createNew: path === configPath });
  }
  return files.map(([path]) => path);
}
