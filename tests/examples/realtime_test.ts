/**
 * The real-time example in a real browser: Playwright drives Debian's
 * Chromium (`/usr/bin/chromium`, installed by `.ci/run`). Two pages open;
 * one posts the form, the other shows the event the app published through
 * its direct WAMP session; a button calls a procedure the app registered.
 */
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { bundleAutobahn } from "../../examples/realtime/bundle_autobahn.ts";
import {
  assert,
  assertEquals,
  assertStringIncludes,
} from "../_helpers/assert.ts";
import { REPO_ROOT, startNodeDir } from "../_helpers/node.ts";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

async function requireChromium(): Promise<void> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: install it with "apt-get install -y chromium" (.ci/run does)`,
    );
  }
}

Deno.test("examples/realtime shows a form post on another open page, live", async () => {
  await requireChromium();
  await bundleAutobahn();
  const dir = await Deno.makeTempDir({ prefix: "realtime_test_" });
  await using node = await startNodeDir(
    resolve(REPO_ROOT, "examples/realtime/.crossbar"),
  );
  // A fresh profile in the test's temporary folder.
  const context = await chromium.launchPersistentContext(`${dir}/profile`, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  let passed = false;
  try {
    context.setDefaultTimeout(10_000);
    const [writer, reader] = [await context.newPage(), await context.newPage()];
    const errors: string[] = [];
    for (const page of [writer, reader]) {
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(node.url + "/");
      await page.waitForSelector("body[data-wamp=ready]");
    }

    await writer.fill("input[name=text]", "Hello from page one");
    await writer.click("button[type=submit]");
    const shown = reader.locator("#events li", {
      hasText: "Hello from page one",
    });
    await shown.waitFor();
    assertEquals(await shown.count(), 1);

    await reader.click("#ask");
    await reader.locator("#answer", { hasText: "has published" }).waitFor();
    const answer = await reader.textContent("#answer") ?? "";
    assertStringIncludes(answer, "has published");
    assert(/session \d+ has published \d+/.test(answer), answer);

    const screenshot = `${dir}/realtime.png`;
    await reader.screenshot({ path: screenshot, fullPage: true });
    assert((await Deno.stat(screenshot)).size > 1000, "screenshot written");
    assertEquals(errors, []);
    passed = true;
  } finally {
    await context.close();
    // Keep the screenshot of a failed run for a look.
    if (passed) await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("examples/realtime validates what is posted to /say", async () => {
  await using node = await startNodeDir(
    resolve(REPO_ROOT, "examples/realtime/.crossbar"),
  );
  const post = (body: BodyInit, type?: string) =>
    fetch(node.url + "/say", {
      method: "POST",
      body,
      headers: {
        accept: "application/json",
        ...(type === undefined ? {} : { "content-type": type }),
      },
    });
  const empty = await post(new URLSearchParams({ text: "   " }));
  assertEquals(empty.status, 400);
  assertStringIncludes((await empty.json()).error, '"text" must be');
  const broken = await post("{not json", "application/json");
  assertEquals(broken.status, 400);
  await broken.body?.cancel();
  const long = await post(
    JSON.stringify({ text: "x".repeat(281) }),
    "application/json",
  );
  assertEquals(long.status, 400);
  await long.body?.cancel();
  const ok = await post(JSON.stringify({ text: "hi" }), "application/json");
  assertEquals(typeof (await ok.json()).publication, "number");
  const form = await fetch(node.url + "/say", {
    method: "POST",
    body: new URLSearchParams({ text: "plain form" }),
    redirect: "manual",
  });
  assertEquals(form.status, 303);
  assertEquals(form.headers.get("location"), "/");
  await form.body?.cancel();
});
