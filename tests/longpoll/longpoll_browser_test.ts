/**
 * autobahn-js 26's `longpoll` transport, as browsers run it (it needs
 * XMLHttpRequest): Debian's Chromium driven by Playwright loads a page that
 * joins over long-poll, next to an autobahn-js WebSocket session in Deno.
 */
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { assertEquals } from "../_helpers/assert.ts";
import { hostNode } from "../../lib/node/host.ts";
import {
  autobahnConnect,
  LOOPBACK,
  OPEN_REALM,
  recordingLogger,
} from "../rawsocket/_helpers.ts";

const CHROMIUM = "/usr/bin/chromium";

/**
 * Builds autobahn-js for the browser (as the realtime example does, JSON
 * only) with its optional "when" promises left out, so it uses ES6
 * promises: bundled, "when" comes in as a namespace without `defer` and
 * the long-poll transport fails ("st(...) is not a function").
 */
async function bundleAutobahnTo(file: string): Promise<void> {
  const entry = resolve(
    import.meta.dirname!,
    "../../examples/realtime/web/autobahn_browser.ts",
  );
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      ...["--external", "msgpack5", "--external", "cbor"],
      ...["--external", "when", "--output", file, entry],
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(new TextDecoder().decode(output.stderr));
  }
}

const PAGE = `<!DOCTYPE html>
<html><body><script type="module">
import autobahn from "./autobahn.js";
const connection = new autobahn.Connection({
  transports: [{ type: "longpoll", url: location.origin + "/lp" }],
  realm: "realm1",
});
connection.onopen = async (session) => {
  await session.register("com.test.lp.echo", (args) => ["lp", ...args]);
  await session.subscribe("com.test.lp.topic", (args) => {
    document.body.dataset.event = JSON.stringify(args);
  });
  window.callWs = async (n) => JSON.stringify(await session.call("com.test.ws.double", [n]));
  window.publishLp = () => session.publish("com.test.ws.topic", ["from lp"], {}, { acknowledge: true }).then(() => "ok");
  document.body.dataset.wamp = "ready";
};
connection.open();
</script></body></html>`;

Deno.test("longpoll: autobahn-js in Chromium joins, calls, registers, publishes and subscribes; idle receives get 204", async () => {
  await Deno.stat(CHROMIUM);
  const dir = await Deno.makeTempDir({ prefix: "longpoll_test_" });
  await Deno.mkdir(`${dir}/web`);
  await bundleAutobahnTo(`${dir}/web/autobahn.js`);
  await Deno.writeTextFile(`${dir}/web/index.html`, PAGE);
  const log = recordingLogger("debug");
  await using node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [OPEN_REALM],
      transports: [{
        type: "web",
        endpoint: LOOPBACK,
        paths: {
          "/": { type: "static", directory: "web" },
          lp: {
            type: "longpoll",
            options: { request_timeout: 1, debug: true },
          },
          ws: { type: "websocket" },
        },
      }],
    }],
  }, { cbdir: dir, logger: log.logger });
  const context = await chromium.launchPersistentContext(`${dir}/profile`, {
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    timeout: 30_000,
  });
  const errors: string[] = [];
  try {
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(node.url + "/index.html");
    await page.waitForSelector("body[data-wamp=ready]", { state: "attached" });
    await using ws = await autobahnConnect({
      url: node.url.replace("http:", "ws:") + "/ws",
    });
    await ws.session.register("com.test.ws.double", (a: number[]) => 2 * a[0]!);
    // WebSocket → long-poll: a call and an event.
    assertEquals(await ws.session.call("com.test.lp.echo", ["hi"]), [
      "lp",
      "hi",
    ]);
    // Idle receives are answered (request_timeout 1 s) and polled again.
    await log.waitFor(/idle receive answered with 204/);
    await ws.session.publish("com.test.lp.topic", ["to lp"], {}, {
      acknowledge: true,
    });
    await page.waitForSelector("body[data-event]", { state: "attached" });
    assertEquals(
      await page.evaluate("document.body.dataset.event"),
      '["to lp"]',
    );
    // Long-poll → WebSocket.
    assertEquals(await page.evaluate("window.callWs(21)"), "42");
    const got = Promise.withResolvers<unknown[]>();
    await ws.session.subscribe(
      "com.test.ws.topic",
      (a: unknown[]) => got.resolve(a),
    );
    assertEquals(await page.evaluate("window.publishLp()"), "ok");
    assertEquals(await got.promise, ["from lp"]);
    assertEquals(errors, []);
  } catch (error) {
    throw new Error(
      `${error}\nlog:\n${log.lines.join("\n")}\npage: ${errors.join("\n")}`,
    );
  } finally {
    await context.close();
    await Deno.remove(dir, { recursive: true });
  }
});
