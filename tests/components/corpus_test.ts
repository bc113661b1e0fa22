/**
 * The corpus configs that need components or container/guest workers and
 * otherwise only supported features (INDEX.md's "no: router components,
 * worker:container, worker:guest", possibly with rawsocket, universal or
 * longpoll): each is accepted now, and `check` reports every
 * component whose module is absent from the corpus as a missing module at
 * the position of its `classname`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../lib/config/mod.ts";
import { checkComponents } from "../../lib/node/_workers.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

const CORPUS = fileURLToPath(
  new URL("../../../shared/corpus/crossbar-configs/", import.meta.url),
);
const HAVE_CORPUS = existsSync(`${CORPUS}INDEX.md`);
const OURS = new Set(["router components", "worker:container", "worker:guest"]);
/** Supported by other parts of the node since (see tests/config/corpus_test.ts). */
const OTHERS = new Set([
  "transport:rawsocket",
  "transport:universal",
  "path:longpoll",
]);

function ourFiles(): string[] {
  const files: string[] = [];
  for (const line of Deno.readTextFileSync(`${CORPUS}INDEX.md`).split("\n")) {
    const link = /\]\(([^)]+)\)/.exec(line);
    if (!link || !line.startsWith("|")) continue;
    const scope = line.split("|").map((cell) => cell.trim())[12] ?? "";
    if (!scope.startsWith("no: ")) continue;
    const reasons = scope.slice(4).split(",").map((r) => r.trim());
    if (
      reasons.some((r) => OURS.has(r)) &&
      reasons.every((r) => OURS.has(r) || OTHERS.has(r))
    ) {
      files.push(link[1]!);
    }
  }
  return files;
}

const MISSING_REGEXP =
  /^[^:]+:\d+:\d+: workers\[\d+\]\.components\[\d+\]\.(classname|callbacks\.join): missing module: Cannot find the module "[^"]+" of component/;

Deno.test({
  name:
    "check accepts corpus configs that need only components and guest workers, and reports absent component modules at their classname",
  ignore: !HAVE_CORPUS,
  async fn() {
    const problems: string[] = [];
    let accepted = 0;
    let rejected = 0;
    let missing = 0;
    for (const file of ourFiles()) {
      let loaded;
      try {
        loaded = await loadConfig(`${CORPUS}${file}`, { env: {} });
      } catch (error) {
        // Another unsupported feature (INDEX.md lists the main ones only):
        // the rejection must be positioned and not about our workers.
        const message = (error as Error).message;
        for (const line of message.split("\n")) {
          const rest = line.slice(CORPUS.length);
          const positioned = /^[^:]+:\d+:\d+: (.*)$/.exec(rest);
          if (!positioned || /component|container|guest/.test(positioned[1]!)) {
            problems.push(`${file}: rejected: ${line}`);
          }
        }
        rejected++;
        continue;
      }
      accepted++;
      const reports = await checkComponents(
        loaded.config,
        loaded.cbdir,
        loaded.path,
      );
      for (const report of reports) {
        if (MISSING_REGEXP.test(report.slice(CORPUS.length))) missing++;
        else problems.push(`${file}: unexpected check report: ${report}`);
      }
    }
    assertEquals(problems, []);
    // deno-lint-ignore no-console -- the figures the README quotes
    console.log(
      `accepted ${accepted}, rejected for other features ${rejected}; ${missing} component modules reported missing`,
    );
    assert(accepted >= 40, `only ${accepted} configs were checked`);
    assert(missing > 0, "no component module was reported missing");
  },
});
