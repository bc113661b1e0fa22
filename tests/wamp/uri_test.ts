import { assertEquals } from "../_helpers/assert.ts";
import {
  compareWildcards,
  convertStarredUri,
  isValidUri,
  wildcardMatches,
} from "../../lib/wamp/uri.ts";

Deno.test("isValidUri() accepts strict URIs and rejects the rest", () => {
  for (const uri of ["com.example.t", "a", "a_b.c1", "wamp.session.on_join"]) {
    assertEquals(isValidUri(uri), true, uri);
  }
  for (
    const uri of [
      "",
      "com..t",
      ".com",
      "com.",
      "Com.ex",
      "com.ex-t",
      "a b",
      "a#b",
    ]
  ) assertEquals(isValidUri(uri), false, uri);
});

Deno.test("isValidUri() in loose mode allows any non-space, non-dot, non-hash", () => {
  assertEquals(isValidUri("Com.Ex-ample.T", "exact", "loose"), true);
  assertEquals(isValidUri("com.ex ample", "exact", "loose"), false);
  assertEquals(isValidUri("com..t", "exact", "loose"), false);
  assertEquals(isValidUri("com.#", "exact", "loose"), false);
});

Deno.test("isValidUri() allows an empty last component for prefix", () => {
  assertEquals(isValidUri("com.example.", "prefix"), true);
  assertEquals(isValidUri("", "prefix"), true);
  assertEquals(isValidUri("com..x", "prefix"), false);
});

Deno.test("isValidUri() allows empty components anywhere for wildcard", () => {
  assertEquals(isValidUri("com..update", "wildcard"), true);
  assertEquals(isValidUri(".a.", "wildcard"), true);
  assertEquals(isValidUri("com.A", "wildcard"), false);
});

Deno.test("isValidUri() rejects absurdly long URIs", () => {
  assertEquals(isValidUri("a".repeat(5000)), false);
});

Deno.test("convertStarredUri() converts like Crossbar", () => {
  assertEquals(convertStarredUri("com.ex.proc"), {
    uri: "com.ex.proc",
    match: "exact",
  });
  assertEquals(convertStarredUri("com.ex.*"), {
    uri: "com.ex.",
    match: "prefix",
  });
  assertEquals(convertStarredUri("*"), { uri: "", match: "prefix" });
  assertEquals(convertStarredUri("com.*.foo"), {
    uri: "com..foo",
    match: "wildcard",
  });
  assertEquals(convertStarredUri("com.*.foo.*"), {
    uri: "com..foo.",
    match: "wildcard",
  });
});

Deno.test("wildcardMatches() needs equal length and equal concrete parts", () => {
  const p = "com..update".split(".");
  assertEquals(wildcardMatches(p, "com.a.update".split(".")), true);
  assertEquals(wildcardMatches(p, "com.a.b.update".split(".")), false);
  assertEquals(wildcardMatches(p, "org.a.update".split(".")), false);
});

Deno.test("compareWildcards() prefers the concrete component furthest left", () => {
  const a = "a1.b2..d4.e5".split(".");
  const b = "a1.b2.c33..e5".split(".");
  assertEquals(compareWildcards(b, a) < 0, true);
  assertEquals(compareWildcards(a, b) > 0, true);
  assertEquals(compareWildcards(a, a), 0);
});
