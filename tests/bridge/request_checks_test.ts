import { createPublisherService } from "../../lib/bridge/mod.ts";
import { formatTimestamp, signRequest } from "../../lib/bridge/signature.ts";
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import {
  type BenchOptions,
  type BridgeOptionsInput,
  post,
  publisherConfig,
  startBench,
} from "./_helpers.ts";

const OK_BODY = { topic: "com.example.checks", args: [1] };

function bench(
  options: BridgeOptionsInput = {},
  context?: BenchOptions["context"],
) {
  return startBench({
    services: (env) => ({
      pub: createPublisherService(
        publisherConfig({
          type: "publisher",
          realm: "realm1",
          role: "anonymous",
          options,
        }),
        env,
      ),
    }),
    ...(context ? { context } : {}),
  });
}

function assertRefused(
  response: { status: number; json: unknown },
  status: number,
  text: string,
): void {
  assertEquals(response.status, status, JSON.stringify(response.json));
  const json = response.json as Record<string, unknown>;
  assertEquals(Object.keys(json), ["error", "args", "kwargs"]);
  assertEquals([json.args, json.kwargs], [[], {}]);
  assertStringIncludes(String(json.error), text);
}

Deno.test("bridge OPTIONS preflight answers 200 with Allow and CORS headers", async () => {
  await using b = bench();
  const response = await fetch(`${b.url}/pub`, {
    method: "OPTIONS",
    headers: {
      origin: "https://app.example",
      "access-control-request-headers": "content-type, x-custom",
    },
  });
  assertEquals(response.status, 200);
  assertEquals(await response.text(), "");
  const h = response.headers;
  assertEquals(h.get("allow"), "POST,PUT,OPTIONS");
  assertEquals(h.get("access-control-allow-methods"), "POST,PUT,OPTIONS");
  assertEquals(h.get("access-control-allow-origin"), "https://app.example");
  assertEquals(h.get("access-control-allow-headers"), "content-type, x-custom");
  assertEquals(h.get("access-control-allow-credentials"), "true");
});

Deno.test("bridge refuses GET and DELETE with 405 in Crossbar's error shape", async () => {
  await using b = bench();
  for (const method of ["GET", "DELETE"]) {
    const response = await fetch(`${b.url}/pub`, { method });
    const json = await response.json();
    assertRefused({ status: response.status, json }, 405, method);
    assertEquals(response.headers.get("access-control-allow-origin"), "*");
  }
});

Deno.test("bridge checks content type, charset, UTF-8, JSON and the body shape", async () => {
  await using b = bench();
  const url = `${b.url}/pub`;
  assertRefused(
    await post(url, OK_BODY, { headers: { "content-type": "text/plain" } }),
    400,
    "text/plain",
  );
  assertRefused(
    await post(url, OK_BODY, {
      headers: { "content-type": "application/json; charset=latin1" },
    }),
    400,
    "latin1",
  );
  assertRefused(await post(url, "{not json"), 400, "not valid JSON");
  assertRefused(await post(url, "[1, 2]"), 400, "must be a JSON object");
  assertRefused(await post(url, "null"), 400, "must be a JSON object");
  assertRefused(
    await post(url, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
    400,
    "UTF-8",
  );
  const fine = await post(url, OK_BODY, {
    headers: { "content-type": "application/json; charset=UTF-8" },
  });
  assertEquals(fine.status, 200);
  const untyped = await fetch(url, {
    method: "POST",
    body: new Blob([JSON.stringify(OK_BODY)]),
  });
  assertEquals(
    untyped.headers.get("content-type"),
    "application/json; charset=UTF-8",
  );
  assertEquals(untyped.status, 200, await untyped.text());
});

Deno.test("bridge answers 413 past post_body_limit, with or without Content-Length", async () => {
  await using b = bench({ post_body_limit: 64 });
  const url = `${b.url}/pub`;
  const big = { topic: "com.example.checks", args: ["x".repeat(100)] };
  assertRefused(await post(url, big), 413, "limit is 64");
  const chunks = [new TextEncoder().encode('{"topic":"com.x","args":["')];
  for (let i = 0; i < 50; i++) {
    chunks.push(new TextEncoder().encode("y".repeat(10)));
  }
  chunks.push(new TextEncoder().encode('"]}'));
  const stream = ReadableStream.from(chunks);
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: stream,
  });
  assertRefused(
    { status: response.status, json: await response.json() },
    413,
    "limit is 64",
  );
  assertEquals((await post(url, { topic: "com.x" })).status, 200);
});

Deno.test("bridge require_ip refuses clients outside the networks and admits those inside", async () => {
  {
    await using b = bench({ require_ip: ["10.0.0.0/8", "2001:db8::/32"] });
    assertRefused(await post(`${b.url}/pub`, OK_BODY), 400, "IP address");
  }
  {
    await using b = bench({ require_ip: ["10.0.0.0/8", "127.0.0.0/8"] });
    assertEquals((await post(`${b.url}/pub`, OK_BODY)).status, 200);
  }
});

Deno.test("bridge require_tls refuses plain HTTP and admits TLS requests", async () => {
  {
    await using b = bench({ require_tls: true });
    assertRefused(await post(`${b.url}/pub`, OK_BODY), 400, "TLS");
  }
  {
    await using b = bench({ require_tls: true }, { secure: true });
    assertEquals((await post(`${b.url}/pub`, OK_BODY)).status, 200);
  }
});

const SIGNING: BridgeOptionsInput = { key: "client1", secret: "s3cr3t" };

async function signedUrl(
  base: string,
  body: string,
  overrides: Record<string, string | undefined> = {},
  secret = "s3cr3t",
): Promise<string> {
  const params: Record<string, string> = {
    key: "client1",
    timestamp: formatTimestamp(),
    seq: "1",
    nonce: String(Math.floor(Math.random() * 2 ** 53)),
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value !== undefined && name !== "signature") params[name] = value;
  }
  const signature = await signRequest(
    secret,
    params as never,
    new TextEncoder().encode(body),
  );
  const query = new URLSearchParams({ ...params, signature });
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) query.delete(name);
    else if (name === "signature") query.set(name, value);
  }
  return `${base}?${query}`;
}

Deno.test("bridge signing accepts a signed request (padded or not) and refuses missing fields", async () => {
  await using b = bench(SIGNING);
  const body = JSON.stringify(OK_BODY);
  const url = `${b.url}/pub`;
  assertEquals((await post(await signedUrl(url, body), body)).status, 200);
  const unpadded = new URL(await signedUrl(url, body));
  unpadded.searchParams.set(
    "signature",
    unpadded.searchParams.get("signature")!.replace(/=+$/, ""),
  );
  assertEquals((await post(unpadded.href, body)).status, 200);
  assertRefused(await post(url, body), 400, '"key" is missing');
  for (const field of ["key", "timestamp", "seq", "nonce", "signature"]) {
    assertRefused(
      await post(await signedUrl(url, body, { [field]: undefined }), body),
      400,
      `"${field}" is missing`,
    );
  }
});

Deno.test("bridge signing answers 401 for a wrong key or signature and 400 for bad fields", async () => {
  await using b = bench(SIGNING);
  const body = JSON.stringify(OK_BODY);
  const url = `${b.url}/pub`;
  assertRefused(
    await post(await signedUrl(url, body, { key: "intruder" }), body),
    401,
    "Unknown key",
  );
  assertRefused(
    await post(await signedUrl(url, body, {}, "wrong secret"), body),
    401,
    "Invalid request signature",
  );
  const tampered = await signedUrl(url, body);
  assertRefused(
    await post(tampered, JSON.stringify({ ...OK_BODY, args: [2] })),
    401,
    "Invalid request signature",
  );
  assertRefused(
    await post(await signedUrl(url, body, { seq: "one" }), body),
    400,
    "Invalid seq",
  );
  assertRefused(
    await post(await signedUrl(url, body, { nonce: "1.5" }), body),
    400,
    "Invalid nonce",
  );
  assertRefused(
    await post(await signedUrl(url, body, { timestamp: "2024-01-01" }), body),
    400,
    "Invalid timestamp",
  );
});

Deno.test("bridge signing refuses timestamps outside timestamp_delta_limit", async () => {
  await using b = bench({ ...SIGNING, timestamp_delta_limit: 60 });
  const body = JSON.stringify(OK_BODY);
  const url = `${b.url}/pub`;
  const stale = formatTimestamp(Date.now() - 10 * 60_000);
  const future = formatTimestamp(Date.now() + 10 * 60_000);
  for (const timestamp of [stale, future]) {
    assertRefused(
      await post(await signedUrl(url, body, { timestamp }), body),
      400,
      "expired",
    );
  }
  const recent = formatTimestamp(Date.now() - 5_000);
  assertEquals(
    (await post(await signedUrl(url, body, { timestamp: recent }), body))
      .status,
    200,
  );
});

Deno.test("bridge signing refuses a replayed nonce (regression: Crossbar never checked)", async () => {
  await using b = bench(SIGNING);
  const body = JSON.stringify(OK_BODY);
  const signed = await signedUrl(`${b.url}/pub`, body, { nonce: "777" });
  assertEquals((await post(signed, body)).status, 200);
  const replay = await post(signed, body);
  assertRefused(replay, 401, "Replayed request");
  assertStringIncludes(String((replay.json as { error: string }).error), "777");
  const fresh = await signedUrl(`${b.url}/pub`, body, { nonce: "778" });
  assertEquals((await post(fresh, body)).status, 200);
});
