import { createHmac } from "node:crypto";
import {
  formatTimestamp,
  isIntegerText,
  parseTimestamp,
  signRequest,
  timingSafeEqual,
  verifyGithubSignature,
  verifyRequestSignature,
} from "../../lib/bridge/signature.ts";
import { NonceCache } from "../../lib/bridge/nonce_cache.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

const PARAMS = {
  key: "foobar",
  timestamp: "2011-10-14T16:59:51.123Z",
  seq: "1",
  nonce: "42",
};
const BODY = new TextEncoder().encode('{"topic":"com.x","args":[1]}');

function reference(secret: string): string {
  return createHmac("sha256", secret)
    .update(PARAMS.key + PARAMS.timestamp + PARAMS.seq + PARAMS.nonce)
    .update(BODY)
    .digest("base64url");
}

Deno.test("signRequest() is padded base64url HMAC-SHA256 over key, timestamp, seq, nonce and body", async () => {
  const signature = await signRequest("s3cr3t", PARAMS, BODY);
  assertEquals(signature.replace(/=+$/, ""), reference("s3cr3t"));
  assertEquals(signature.length, 44);
  assert(signature.endsWith("="));
  assert(!/[+/]/.test(signature));
});

Deno.test("verifyRequestSignature() accepts padded and unpadded, refuses other secrets and bodies", async () => {
  const unpadded = reference("s3cr3t");
  assert(await verifyRequestSignature("s3cr3t", PARAMS, BODY, unpadded));
  assert(await verifyRequestSignature("s3cr3t", PARAMS, BODY, unpadded + "="));
  assert(!await verifyRequestSignature("other", PARAMS, BODY, unpadded));
  assert(
    !await verifyRequestSignature(
      "s3cr3t",
      { ...PARAMS, nonce: "43" },
      BODY,
      unpadded,
    ),
  );
  assert(
    !await verifyRequestSignature("s3cr3t", PARAMS, BODY.slice(1), unpadded),
  );
  assert(!await verifyRequestSignature("s3cr3t", PARAMS, BODY, ""));
});

Deno.test("verifyGithubSignature() checks sha256 first, then sha1, hex in any case", async () => {
  const sha1 = createHmac("sha1", "gh").update(BODY).digest("hex");
  const sha256 = createHmac("sha256", "gh").update(BODY).digest("hex");
  const check = (headers: Record<string, string>) =>
    verifyGithubSignature("gh", new Headers(headers), BODY);
  assert(await check({ "x-hub-signature": `sha1=${sha1}` }));
  assert(await check({ "x-hub-signature": `sha1=${sha1.toUpperCase()}` }));
  assert(await check({ "x-hub-signature-256": `sha256=${sha256}` }));
  assert(!await check({}));
  assert(!await check({ "x-hub-signature": `sha1=${"0".repeat(40)}` }));
  assert(!await check({ "x-hub-signature": `sha256=${sha256}` }));
  assert(
    !await check({
      "x-hub-signature-256": "sha256=00",
      "x-hub-signature": `sha1=${sha1}`,
    }),
  );
});

Deno.test("parseTimestamp() reads Crossbar's UTC format and rejects others", () => {
  assertEquals(
    parseTimestamp("2011-10-14T16:59:51.123Z"),
    Date.UTC(2011, 9, 14, 16, 59, 51, 123),
  );
  assertEquals(
    parseTimestamp("2011-10-14T16:59:51.5Z"),
    Date.UTC(2011, 9, 14, 16, 59, 51, 500),
  );
  assertEquals(
    parseTimestamp("2011-10-14T16:59:51.123456Z"),
    Date.UTC(2011, 9, 14, 16, 59, 51, 123),
  );
  for (
    const bad of [
      "2011-10-14T16:59:51Z",
      "2011-10-14T16:59:51.123",
      "2011-10-14T16:59:51.123+00:00",
      "2011-02-30T16:59:51.123Z",
      "2011-10-14T24:00:00.000Z",
      "yesterday",
    ]
  ) {
    assertEquals(parseTimestamp(bad), undefined, bad);
  }
  const now = Date.now();
  assertEquals(parseTimestamp(formatTimestamp(now)), now);
});

Deno.test("isIntegerText() and timingSafeEqual() behave like their names", () => {
  assert(isIntegerText("42") && isIntegerText("-7") && isIntegerText("+1"));
  assert(!isIntegerText("1.5") && !isIntegerText("") && !isIntegerText("x"));
  assert(timingSafeEqual("abc", "abc"));
  assert(!timingSafeEqual("abc", "abd"));
  assert(!timingSafeEqual("abc", "abcd"));
  assert(!timingSafeEqual("", "a"));
});

Deno.test("NonceCache.add() refuses a pair seen within the TTL and forgets it after", () => {
  let now = 1000;
  const cache = new NonceCache({ ttl: 100, now: () => now });
  assert(cache.add("k", "1"));
  assert(!cache.add("k", "1"));
  assert(cache.add("other", "1"));
  assert(cache.add("k", "2"));
  now += 101;
  assert(cache.add("k", "1"));
  assertEquals(cache.size, 1);
});

Deno.test("NonceCache.add() keeps at most maxEntries pairs", () => {
  const cache = new NonceCache({ ttl: 60_000, maxEntries: 3 });
  for (let i = 0; i < 10; i++) assert(cache.add("k", String(i)));
  assertEquals(cache.size, 3);
  assert(!cache.add("k", "9"));
  assert(cache.add("k", "0"));
});
