import { createHmac } from "node:crypto";
import { createWebhookService } from "../../lib/bridge/mod.ts";
import { assertEquals } from "../_helpers/assert.ts";
import {
  post,
  startBench,
  subscribeOnce,
  webhookConfig,
  type WebhookOptionsInput,
} from "./_helpers.ts";

const TOPIC = "com.example.hook";

function hookBench(
  options: Partial<WebhookOptionsInput> = {},
  role = "anonymous",
) {
  return startBench({
    services: (env) => ({
      hook: createWebhookService(
        webhookConfig({
          type: "webhook",
          realm: "realm1",
          role,
          options: { topic: TOPIC, ...options },
        }),
        env,
      ),
    }),
  });
}

Deno.test("createWebhookService() publishes the raw body and headers and answers 202 OK", async () => {
  await using bench = hookBench();
  const session = await bench.connect();
  const { event } = await subscribeOnce(session, TOPIC);
  const raw = "not json at all: ü <>";
  const response = await post(`${bench.url}/hook`, raw, {
    headers: {
      "content-type": "text/plain",
      "x-event": "push",
      etag: '"v1"',
    },
  });
  assertEquals(response.status, 202);
  assertEquals(response.text, "OK");
  const { args, kwargs } = await event;
  assertEquals(kwargs, {});
  assertEquals(args.length, 1);
  const payload = args[0] as {
    headers: Record<string, string[]>;
    body: string;
  };
  assertEquals(payload.body, raw);
  assertEquals(payload.headers["X-Event"], ["push"]);
  assertEquals(payload.headers["Content-Type"], ["text/plain"]);
  assertEquals(payload.headers["ETag"], ['"v1"']);
});

Deno.test("createWebhookService() uses success_response and answers error_response with 500 when publishing is forbidden", async () => {
  {
    await using bench = hookBench({ success_response: "thanks" });
    const response = await post(`${bench.url}/hook`, "x");
    assertEquals([response.status, response.text], [202, "thanks"]);
  }
  {
    await using bench = hookBench({ error_response: "sorry" }, "reader");
    const response = await post(`${bench.url}/hook`, "x");
    assertEquals([response.status, response.text], [500, "sorry"]);
  }
  {
    await using bench = hookBench({}, "reader");
    const response = await post(`${bench.url}/hook`, "x");
    assertEquals([response.status, response.text], [500, "NOT OK"]);
  }
});

Deno.test("createWebhookService() checks GitHub signatures (sha1 and sha256) when github_secret is set", async () => {
  await using bench = hookBench({ github_secret: "gh-secret" });
  const session = await bench.connect();
  const { event } = await subscribeOnce(session, TOPIC);
  const body = '{"zen":"Keep it logically awesome."}';
  const sha1 = createHmac("sha1", "gh-secret").update(body).digest("hex");
  const sha256 = createHmac("sha256", "gh-secret").update(body).digest("hex");
  const url = `${bench.url}/hook`;
  const unsigned = await post(url, body);
  assertEquals(unsigned.status, 400);
  assertEquals(
    (unsigned.json as { error: string }).error.includes("GitHub"),
    true,
  );
  const wrong = await post(url, body, {
    headers: { "x-hub-signature": `sha1=${"0".repeat(40)}` },
  });
  assertEquals(wrong.status, 400);
  const good = await post(url, body, {
    headers: { "x-hub-signature": `sha1=${sha1}` },
  });
  assertEquals(good.status, 202);
  assertEquals(((await event).args[0] as { body: string }).body, body);
  const good256 = await post(url, body, {
    headers: { "x-hub-signature-256": `sha256=${sha256}` },
  });
  assertEquals(good256.status, 202);
});

Deno.test("createWebhookService() answers 413 past post_body_limit and 405 for GET", async () => {
  await using bench = hookBench({ post_body_limit: 10 });
  const big = await post(`${bench.url}/hook`, "x".repeat(11));
  assertEquals(big.status, 413);
  const ok = await post(`${bench.url}/hook`, "x".repeat(10));
  assertEquals(ok.status, 202);
  const get = await fetch(`${bench.url}/hook`);
  await get.body?.cancel();
  assertEquals(get.status, 405);
});
