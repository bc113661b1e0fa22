import assert from "node:assert/strict";
import {
  acceptedEncodings,
  isNotModified,
  parseRange,
  weakEtag,
} from "../../../lib/web/services/_static_file.ts";
import { splitSafePath } from "../../../lib/web/services/_static_path.ts";
import { createMimeLookup } from "../../../lib/web/services/_mime_types.ts";

Deno.test("parseRange() reads single ranges and flags unsatisfiable ones", () => {
  assert.deepEqual(parseRange("bytes=0-9", 100), { start: 0, end: 9 });
  assert.deepEqual(parseRange("bytes=90-", 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange("bytes=-10", 100), { start: 90, end: 99 });
  assert.deepEqual(parseRange("bytes=-500", 100), { start: 0, end: 99 });
  assert.deepEqual(parseRange("bytes=50-5000", 100), { start: 50, end: 99 });
  assert.equal(parseRange("bytes=100-", 100), "unsatisfiable");
  assert.equal(parseRange("bytes=-0", 100), "unsatisfiable");
  assert.equal(parseRange("bytes=0-", 0), "unsatisfiable");
});

Deno.test("parseRange() ignores absent, malformed and multiple ranges", () => {
  assert.equal(parseRange(null, 100), undefined);
  assert.equal(parseRange("bytes=0-1,5-6", 100), undefined);
  assert.equal(parseRange("items=0-1", 100), undefined);
  assert.equal(parseRange("bytes=-", 100), undefined);
  assert.equal(parseRange("bytes=9-1", 100), undefined);
  assert.equal(parseRange("bytes=a-b", 100), undefined);
});

Deno.test("acceptedEncodings() orders by q-value and drops q=0", () => {
  const names = (h: string | null) =>
    acceptedEncodings(h).map((e) => e.encoding);
  assert.deepEqual(names("gzip, deflate, br"), ["br", "gzip"]);
  assert.deepEqual(names("gzip;q=1.0, br;q=0.5"), ["gzip", "br"]);
  assert.deepEqual(names("br;q=0, gzip"), ["gzip"]);
  assert.deepEqual(names("*"), ["br", "gzip"]);
  assert.deepEqual(names("identity"), []);
  assert.deepEqual(names(null), []);
});

Deno.test("isNotModified() prefers If-None-Match and compares weakly", () => {
  const mtime = new Date("2026-01-01T00:00:00Z");
  const info = { size: 10, mtime } as Deno.FileInfo;
  const etag = weakEtag(info);
  const request = (headers: Record<string, string>) =>
    new Request("http://x/", { headers });
  assert.ok(isNotModified(request({ "if-none-match": etag }), etag, mtime));
  assert.ok(
    isNotModified(request({ "if-none-match": etag.slice(2) }), etag, mtime),
  );
  assert.ok(isNotModified(request({ "if-none-match": "*" }), etag, mtime));
  assert.ok(
    !isNotModified(
      request({
        "if-none-match": '"x"',
        "if-modified-since": mtime.toUTCString(),
      }),
      etag,
      mtime,
    ),
  );
  assert.ok(
    isNotModified(
      request({ "if-modified-since": mtime.toUTCString() }),
      etag,
      mtime,
    ),
  );
  assert.ok(
    !isNotModified(request({ "if-modified-since": "garbage" }), etag, mtime),
  );
});

Deno.test("splitSafePath() decodes segments and refuses anything unsafe", () => {
  assert.deepEqual(splitSafePath("/a/b%20c/"), {
    segments: ["a", "b c"],
    trailingSlash: true,
  });
  assert.deepEqual(splitSafePath("//a//b"), {
    segments: ["a", "b"],
    trailingSlash: false,
  });
  assert.deepEqual(splitSafePath("/.well-known/x")?.segments, [
    ".well-known",
    "x",
  ]);
  for (
    const bad of [
      "/..",
      "/%2e%2e",
      "/.",
      "/a%2fb",
      "/a%5cb",
      "/a\\b",
      "/a%00",
      "/a%0a",
      "/%zz",
      "/.git/config",
      "relative",
    ]
  ) {
    assert.equal(splitSafePath(bad), undefined, bad);
  }
});

Deno.test("createMimeLookup() lets extra types win and falls back to octet-stream", () => {
  const lookup = createMimeLookup({ ".JS": "application/x-js", md: "x/md" });
  assert.equal(lookup("app.js"), "application/x-js");
  assert.equal(lookup("README.MD"), "x/md");
  assert.equal(lookup("a.wasm"), "application/wasm");
  assert.equal(lookup("Makefile"), "application/octet-stream");
  assert.equal(lookup(".bashrc"), "application/octet-stream");
});
