/**
 * The README's install route, end to end, as a new user would take it:
 * `deno task install` into a temporary DENO_INSTALL_ROOT (with an empty
 * DENO_DIR, as on a clean machine), `crossbar-deno init` in a project
 * outside the checkout that has its own deno.json (an npm package through
 * its import map) and uses `crossbar/app`, then check, start, HTTP and WAMP
 * calls, status and stop — and the checkout is left as it was.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../_helpers/assert.ts";
import {
  CHECKOUT,
  DENO,
  NodeProcess,
  pathWithDeno,
  RawWamp,
  tempDir,
} from "./_process.ts";

const APP = `import { z } from "zod";
import { wamp } from "crossbar/app";

const session = await wamp();
await session.register(
  "com.example.shout",
  ([text]) => z.string().parse(text).toUpperCase(),
  { invoke: "roundrobin" },
);

export async function app(request: Request): Promise<Response> {
  if (new URL(request.url).pathname === "/leak") {
    try {
      await import(["valib", "ot"].join(""));
      return new Response("leaked");
    } catch (error) {
      return new Response("not leaked: " + (error as Error).message);
    }
  }
  return new Response(z.object({ hello: z.string() }).parse({ hello: "zod" }).hello);
}
`;

async function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(command, { args, cwd, env, stdin: "null" })
    .output();
  const text = new TextDecoder();
  return {
    code: out.code,
    output: text.decode(out.stdout) + text.decode(out.stderr),
  };
}

async function checkoutState(): Promise<string> {
  const lock = await Deno.readTextFile(join(CHECKOUT, "deno.lock"));
  let zod = "absent";
  try {
    await Deno.lstat(join(CHECKOUT, "node_modules", "zod"));
    zod = "present";
  } catch {
    // Not there: good.
  }
  return `${lock.length}:${lock.includes("zod@") ? "zod in lock" : ""}:${zod}`;
}

Deno.test("installed crossbar-deno runs a project with its own imports, outside the checkout", async () => {
  await using root = await tempDir("cb-install-root-");
  await using cache = await tempDir("cb-deno-dir-");
  await using project = await tempDir("cb-project-");
  const before = await checkoutState();
  const env = {
    DENO_INSTALL_ROOT: root.path,
    DENO_DIR: cache.path,
    PATH: pathWithDeno([join(root.path, "bin")]),
    NO_COLOR: "1",
  };
  const install = await run(DENO, ["task", "install"], CHECKOUT, env);
  assertEquals(install.code, 0, install.output);
  const command = join(root.path, "bin", "crossbar-deno");

  const init = await run(command, ["init"], project.path, env);
  assertEquals(init.code, 0, init.output);
  assert(init.output.includes("\n  crossbar-deno start\n"), init.output);
  const configPath = join(project.path, ".crossbar", "config.json");
  const config = JSON.parse(await Deno.readTextFile(configPath));
  const web = config.workers[0].transports[0];
  assertEquals(web.endpoint.interface, "127.0.0.1");
  web.endpoint.port = 0;
  web.paths["/"].wamp = { realm: "realm1", role: "anonymous" };
  await Deno.writeTextFile(configPath, JSON.stringify(config));
  await Deno.writeTextFile(
    join(project.path, "deno.json"),
    JSON.stringify({ imports: { zod: "npm:zod@3" } }),
  );
  await Deno.writeTextFile(join(project.path, "app.ts"), APP);

  const check = await run(command, ["check"], project.path, env);
  assertEquals(check.code, 0, check.output);

  await using node = new NodeProcess(command, ["start"], {
    cwd: project.path,
    env,
  });
  const base = await node.url();
  await node.line(/Node started/);
  assertEquals(await (await fetch(base + "/")).text(), "zod");
  const leak = await (await fetch(base + "/leak")).text();
  assert(leak.startsWith("not leaked"), leak);
  {
    await using wamp = await RawWamp.join(
      base.replace("http", "ws") + "/ws",
      "realm1",
    );
    wamp.send([48, 1, {}, "com.example.shout", ["hello"]]);
    assertEquals(await wamp.next(), [50, 1, {}, ["HELLO"]]);
  }

  const mark = node.mark;
  const reload = await run(command, ["reload"], project.path, env);
  assertEquals(reload.code, 0, reload.output);
  assert(/Reloaded: 1 path\(s\) restarted/.test(reload.output), reload.output);
  await node.line(/Reloaded: 1 path\(s\) restarted/, mark);
  assertEquals(await (await fetch(base + "/")).text(), "zod");

  const status = await run(command, ["status"], project.path, env);
  assertEquals(status.code, 0, status.output);
  assert(/Node running: pid \d+, up /.test(status.output), status.output);
  const stop = await run(command, ["stop"], project.path, env);
  assertEquals(stop.code, 0, stop.output);
  assertEquals((await node.status).code, 0);
  const stopped = await run(command, ["status"], project.path, env);
  assertEquals(stopped.code, 3, stopped.output);

  // The first run (check) fetched the packages into the empty DENO_DIR:
  // only runtime ones, without a build-script warning.
  const fetched = check.output + node.output;
  assert(/Download .*zod/.test(fetched), fetched);
  assert(!/Ignored build scripts/.test(fetched), fetched);
  for (const tool of ["playwright-core", "wampy", "autobahn", "cbor-extract"]) {
    assert(!fetched.includes(tool), `${tool} fetched:\n${fetched}`);
  }
  // The project's own lock holds its packages; the checkout is untouched.
  const lock = await Deno.readTextFile(join(project.path, "deno.lock"));
  assert(lock.includes("npm:zod@3"), lock);
  assertEquals(await checkoutState(), before);
});
