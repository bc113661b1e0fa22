/**
 * lib/ has no import cycle (type-only imports count too): the module graph
 * of every `lib/**\/*.ts` file, from `deno info --json`, is searched for a
 * cycle and the first one found is named.
 */
import { assertEquals } from "../_helpers/assert.ts";

const ROOT = new URL("../../", import.meta.url);
const LIB = new URL("lib/", ROOT);

async function libFiles(dir: URL): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) files.push(...await libFiles(url));
    else if (entry.name.endsWith(".ts")) files.push(url.href);
  }
  return files.sort();
}

interface InfoModule {
  specifier: string;
  dependencies?: {
    code?: { specifier?: string };
    type?: { specifier?: string };
  }[];
}

/** The lib/-internal import graph: module → modules it imports. */
async function libGraph(): Promise<Map<string, string[]>> {
  const dir = await Deno.makeTempDir();
  try {
    const entry = `${dir}/all_lib.ts`;
    const files = await libFiles(LIB);
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import type {} from "${f}";`).join("\n") + "\n",
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "info",
        "--json",
        "--config",
        new URL("deno.json", ROOT).pathname,
        entry,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `deno info failed: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: InfoModule[];
    };
    const graph = new Map<string, string[]>();
    for (const module of info.modules) {
      if (!module.specifier.startsWith(LIB.href)) continue;
      const targets = new Set<string>();
      for (const dep of module.dependencies ?? []) {
        for (const target of [dep.code?.specifier, dep.type?.specifier]) {
          if (target?.startsWith(LIB.href)) targets.add(target);
        }
      }
      graph.set(module.specifier, [...targets]);
    }
    return graph;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** One cycle of `graph` as a path of modules, or `undefined`. */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, "open");
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") {
        return [...path.slice(path.indexOf(next)), next];
      }
      if (state.get(next) === undefined) {
        const cycle = visit(next);
        if (cycle !== undefined) return cycle;
      }
    }
    path.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.get(node) !== undefined) continue;
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

Deno.test("lib/ has no import cycle", async () => {
  const graph = await libGraph();
  const cycle = findCycle(graph)?.map((m) => m.slice(LIB.href.length));
  assertEquals(cycle, undefined, `import cycle: ${cycle?.join(" → ")}`);
});

Deno.test("findCycle() names a cycle and accepts a DAG", () => {
  const dag = new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]]);
  assertEquals(findCycle(dag), undefined);
  const cyclic = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]);
  assertEquals(findCycle(cyclic), ["a", "b", "c", "a"]);
});
