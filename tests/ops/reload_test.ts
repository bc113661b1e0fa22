/**
 * Graceful reload of a real node process: SIGHUP under load loses no
 * request and the new app code answers afterwards, a WAMP session on an
 * unchanged path stays connected, a broken config is refused while the node
 * keeps serving, and `--watch` restarts a pool when its app file changes.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../_helpers/assert.ts";
import {
  RawWamp,
  runMain,
  startFromCheckout,
  tempDir,
  webConfig,
  writeConfig,
} from "./_process.ts";

const app = (version: string) =>
  `export function app(request: Request): Response {
  return new Response("${version}");
}
`;

const CONFIG = webConfig({
  "/": { type: "wsgi", module: "app", object: "app", workers: 2 },
  ws: { type: "websocket" },
});

/** Fetches `url` in `lanes` parallel loops until `stop` resolves. */
function load(url: string, lanes: number, stop: Promise<void>) {
  const tally = {
    ok: 0,
    failed: [] as string[],
    last: new Map<number, string>(),
  };
  let stopped = false;
  stop.then(() => (stopped = true));
  const lane = async (n: number) => {
    while (!stopped) {
      try {
        const response = await fetch(url);
        const text = await response.text();
        if (response.status === 200) {
          tally.ok++;
          tally.last.set(n, text);
        } else tally.failed.push(`${response.status} ${text}`);
      } catch (error) {
        tally.failed.push(String(error));
      }
    }
  };
  const done = Promise.all(Array.from({ length: lanes }, (_, n) => lane(n)));
  return { tally, done };
}

Deno.test("SIGHUP reloads under load: no failed request, new code answers, WAMP session stays", async () => {
  await using dir = await tempDir("cb-reload-");
  await Deno.writeTextFile(join(dir.path, "app.ts"), app("v1"));
  const cbdir = await writeConfig(dir.path, CONFIG);
  await using node = startFromCheckout(["start", "--cbdir", cbdir], dir.path);
  const base = await node.url();
  await using wamp = await RawWamp.join(
    base.replace("http", "ws") + "/ws",
    "realm1",
  );

  let stopLoad!: () => void;
  const stop = new Promise<void>((resolve) => (stopLoad = resolve));
  const { tally, done } = load(base + "/", 8, stop);
  try {
    // Load is flowing before the reload starts.
    while (tally.ok < 50) await new Promise((r) => setTimeout(r, 0));
    await Deno.writeTextFile(join(dir.path, "app.ts"), app("v2"));
    const mark = node.mark;
    node.kill("SIGHUP");
    await node.line(/Reloaded: 1 path\(s\) restarted, 1 kept/, mark);
    // Requests keep flowing on the new pool.
    const after = tally.ok;
    while (tally.ok < after + 50) await new Promise((r) => setTimeout(r, 0));
  } finally {
    stopLoad();
    await done;
  }
  assertEquals(tally.failed, []);
  assert(tally.ok > 100);
  assertEquals(await (await fetch(base + "/")).text(), "v2");

  // The WAMP session on the unchanged /ws path is still connected.
  wamp.send([16, 1, { acknowledge: true }, "com.example.after_reload", []]);
  assertEquals((await wamp.next())[0], 17);

  node.kill("SIGTERM");
  assertEquals((await node.status).code, 0);
});

Deno.test("a reload with a broken config logs every error and keeps serving", async () => {
  await using dir = await tempDir("cb-reload-");
  await Deno.writeTextFile(join(dir.path, "app.ts"), app("v1"));
  const cbdir = await writeConfig(dir.path, CONFIG);
  await using node = startFromCheckout(["start", "--cbdir", cbdir], dir.path);
  const base = await node.url();
  await Deno.writeTextFile(
    join(cbdir, "config.json"),
    JSON.stringify(webConfig({
      "/": { type: "wsgii" },
      ws: { type: "websocket", serializers: ["yaml"] },
    })),
  );
  const mark = node.mark;
  // `reload` sends SIGHUP and waits for the outcome.
  const reload = await runMain(["reload", "--cbdir", cbdir], dir.path);
  assertEquals(reload.code, 1, reload.output);
  assert(
    /unknown path service type "wsgii"/.test(reload.output),
    reload.output,
  );
  await node.line(/Reload failed; the node keeps running/, mark);
  await node.line(/unknown path service type "wsgii"/, mark);
  await node.line(/serializers/, mark);
  assertEquals(await (await fetch(base + "/")).text(), "v1");

  // A change outside the path tables needs a restart: refused, still serving.
  const moved = webConfig({
    "/": { type: "wsgi", module: "app", object: "app", workers: 2 },
    ws: { type: "websocket" },
  }, { realms: [{ name: "realm2", roles: [] }] });
  await Deno.writeTextFile(join(cbdir, "config.json"), JSON.stringify(moved));
  const mark2 = node.mark;
  node.kill("SIGHUP");
  await node.line(/changed outside its transports' paths/, mark2);
  assertEquals(await (await fetch(base + "/")).text(), "v1");
  node.kill("SIGTERM");
  assertEquals((await node.status).code, 0);
});

Deno.test("start --watch restarts the pool of an edited app only", async () => {
  await using dir = await tempDir("cb-watch-");
  await Deno.mkdir(join(dir.path, "a"));
  await Deno.mkdir(join(dir.path, "b"));
  await Deno.writeTextFile(join(dir.path, "a", "app.ts"), app("a1"));
  await Deno.writeTextFile(join(dir.path, "b", "app.ts"), app("b1"));
  const cbdir = await writeConfig(
    dir.path,
    webConfig({
      a: { type: "wsgi", module: "../a/app.ts", object: "app" },
      b: { type: "wsgi", module: "../b/app.ts", object: "app" },
    }),
  );
  await using node = startFromCheckout(
    ["start", "--watch", "--cbdir", cbdir],
    dir.path,
  );
  const base = await node.url();
  await node.line(/Watching .* 2 app folder\(s\)/);
  const mark = node.mark;
  await Deno.writeTextFile(join(dir.path, "a", "app.ts"), app("a2"));
  await node.line(/App files changed: restarting 0\/0\/a$/, mark);
  await node.line(/Reloaded: 1 path\(s\) restarted, 1 kept/, mark);
  assertEquals(await (await fetch(base + "/a")).text(), "a2");
  assertEquals(await (await fetch(base + "/b")).text(), "b1");
  node.kill("SIGTERM");
  assertEquals((await node.status).code, 0);
});

Deno.test("a SIGHUP while the node starts is deferred until it has started", async () => {
  await using dir = await tempDir("cb-reload-");
  await Deno.writeTextFile(join(dir.path, "app.ts"), app("v1"));
  const cbdir = await writeConfig(dir.path, CONFIG);
  await using node = startFromCheckout(["start", "--cbdir", cbdir], dir.path);
  // Logged once SIGHUP and SIGTERM are handled, before the apps load.
  await node.line(/Starting node from/);
  node.kill("SIGHUP");
  await node.line(/Node started/);
  await node.line(/Reloaded: 1 path\(s\) restarted, 1 kept/);
  node.kill("SIGTERM");
  assertEquals((await node.status).code, 0);
});
