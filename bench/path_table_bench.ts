/**
 * Micro-benchmarks of `PathTable.match`, the longest-prefix lookup every
 * request goes through. Run: `deno bench bench/path_table_bench.ts`.
 *
 * Baseline (same run, same table): a hit at the root, which costs one map
 * lookup; the other cases are read as multiples of it (`deno bench` prints
 * them as such within the group).
 *
 * @module
 */
import { PathTable } from "../lib/web/path_table.ts";

/** A table shaped like a real node's: a root, a few apps, nested paths. */
function table(): PathTable<string> {
  const paths = new PathTable<string>();
  paths.add("", "root");
  for (const name of ["ws", "static", "api", "call", "pub", "info"]) {
    paths.add(`/${name}`, name);
  }
  paths.add("/api/v1", "api v1");
  paths.add("/api/v1/admin", "admin");
  paths.add("/static/assets/img", "images");
  return paths;
}

const PATHS = table();
const NO_ROOT = new PathTable<string>();
NO_ROOT.add("/api", "api");

Deno.bench({
  name: "root hit (/index.html)",
  group: "match",
  baseline: true,
  fn: () => {
    PATHS.match("/index.html");
  },
});

Deno.bench({
  name: "one segment (/ws)",
  group: "match",
  fn: () => {
    PATHS.match("/ws");
  },
});

Deno.bench({
  name: "deepest prefix (/api/v1/admin/users/42)",
  group: "match",
  fn: () => {
    PATHS.match("/api/v1/admin/users/42");
  },
});

Deno.bench({
  name: "long path under a short prefix (/static/…, 40 segments)",
  group: "match",
  fn: () => {
    PATHS.match("/static" + "/segment".repeat(40));
  },
});

Deno.bench({
  name: "percent-encoded prefix (/api/v%31/admin/x)",
  group: "match",
  fn: () => {
    PATHS.match("/api/v%31/admin/x");
  },
});

Deno.bench({
  name: "miss without a root (/nowhere/at/all)",
  group: "match",
  fn: () => {
    NO_ROOT.match("/nowhere/at/all");
  },
});
