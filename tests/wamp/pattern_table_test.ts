import { assertEquals } from "../_helpers/assert.ts";
import {
  type PatternEntry,
  PatternTable,
} from "../../lib/wamp/_pattern_table.ts";
import type { MatchPolicy } from "../../lib/wamp/uri.ts";

let nextId = 1;
function entry(uri: string, match: MatchPolicy): PatternEntry {
  return {
    id: nextId++,
    uri,
    match,
    parts: match === "wildcard" ? uri.split(".") : [],
  };
}

function matchUris(table: PatternTable<PatternEntry>, uri: string): string[] {
  const found: string[] = [];
  table.forEachMatch(uri, (e) => found.push(`${e.match}:${e.uri}`));
  return found.sort();
}

Deno.test("PatternTable.forEachMatch() finds exact, prefix and wildcard entries", () => {
  const table = new PatternTable<PatternEntry>();
  for (
    const e of [
      entry("com.a.b", "exact"),
      entry("com.", "prefix"),
      entry("com.a", "prefix"),
      entry("org.", "prefix"),
      entry("com..b", "wildcard"),
      entry("com...b", "wildcard"),
    ]
  ) table.add(e);
  assertEquals(matchUris(table, "com.a.b"), [
    "exact:com.a.b",
    "prefix:com.",
    "prefix:com.a",
    "wildcard:com..b",
  ]);
  assertEquals(matchUris(table, "net.x"), []);
});

Deno.test("PatternTable.forEachMatch() gives the same answer with many prefixes", () => {
  const table = new PatternTable<PatternEntry>();
  const few = new PatternTable<PatternEntry>();
  for (const uri of ["com.", "com.a", "com.a.b", ""]) {
    table.add(entry(uri, "prefix"));
    few.add(entry(uri, "prefix"));
  }
  for (let i = 0; i < 200; i++) table.add(entry(`org.filler${i}.`, "prefix"));
  for (const uri of ["com.a.b.c", "com.x", "c", "org.filler7.z"]) {
    const many = matchUris(table, uri).filter((u) => !u.includes("filler"));
    assertEquals(many, matchUris(few, uri), uri);
  }
  assertEquals(table.best("com.a.b.c")?.uri, "com.a.b");
  assertEquals(table.best("org.filler7.z")?.uri, "org.filler7.");
});

Deno.test("PatternTable.delete() removes an entry from every index", () => {
  const table = new PatternTable<PatternEntry>();
  const wild = entry("a..c", "wildcard");
  const prefix = entry("a.", "prefix");
  table.add(wild);
  table.add(prefix);
  table.delete(wild);
  assertEquals(matchUris(table, "a.b.c"), ["prefix:a."]);
  assertEquals(table.byId(wild.id), undefined);
  assertEquals(table.list(), { exact: [], prefix: [prefix.id], wildcard: [] });
  assertEquals(table.size, 1);
});
