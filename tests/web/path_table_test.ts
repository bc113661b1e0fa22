import { assertEquals, assertThrows } from "../_helpers/assert.ts";
import { normalizePathKey, PathTable } from "../../lib/web/path_table.ts";

function table(...prefixes: string[]): PathTable<string> {
  const t = new PathTable<string>();
  for (const p of prefixes) t.add(p, p || "root");
  return t;
}

Deno.test("PathTable.match() prefers the longest prefix", () => {
  const t = table("", "/api", "/api/v2");
  assertEquals(t.match("/api/v2/users")?.service, "/api/v2");
  assertEquals(t.match("/api/v2/users")?.rest, "/users");
  assertEquals(t.match("/api/v1/users")?.service, "/api");
  assertEquals(t.match("/api/v1/users")?.rest, "/v1/users");
  assertEquals(t.match("/other")?.service, "root");
});

Deno.test("PathTable.match() matches whole segments only", () => {
  const t = table("", "/api");
  assertEquals(t.match("/apix")?.service, "root");
  assertEquals(t.match("/apix")?.rest, "/apix");
  assertEquals(t.match("/api")?.rest, "/");
  assertEquals(t.match("/api/")?.rest, "/");
});

Deno.test("PathTable.match() gives the root the full path", () => {
  const t = table("", "/ws");
  assertEquals(t.match("/"), { prefix: "", service: "root", rest: "/" });
  assertEquals(t.match("/x/y")?.rest, "/x/y");
});

Deno.test("PathTable.match() returns undefined without a root", () => {
  const t = table("/ws");
  assertEquals(t.match("/"), undefined);
  assertEquals(t.match("/wsx"), undefined);
  assertEquals(t.match("/ws/a")?.rest, "/a");
});

Deno.test("PathTable.match() decodes segments but keeps the rest raw", () => {
  const t = table("", "/api");
  assertEquals(t.match("/%61pi/a%20b")?.service, "/api");
  assertEquals(t.match("/%61pi/a%20b")?.rest, "/a%20b");
  assertEquals(t.match("/%zz/api")?.service, "root");
});

Deno.test("PathTable.add() refuses a prefix mounted twice", () => {
  const t = table("/a");
  assertThrows(() => t.add("/a", "again"), Error, "already mapped");
});

Deno.test("normalizePathKey() maps Crossbar keys to prefixes", () => {
  assertEquals(normalizePathKey("/"), "");
  assertEquals(normalizePathKey("ws"), "/ws");
  assertEquals(normalizePathKey("api/v2"), "/api/v2");
  assertThrows(() => normalizePathKey("a//b"), TypeError);
  assertThrows(() => normalizePathKey("a b"), TypeError);
});
