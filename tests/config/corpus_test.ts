/**
 * Runs the config loader over the corpus of real Crossbar configs in
 * `shared/corpus/crossbar-configs/` (see its INDEX.md): every config in our
 * scope is accepted unless listed below with the feature it needs; every
 * other config is rejected, each message line positioned as
 * `file:line:column: …`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfig } from "../../lib/config/mod.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

const CORPUS = fileURLToPath(
  new URL("../../../shared/corpus/crossbar-configs/", import.meta.url),
);
const HAVE_CORPUS = existsSync(`${CORPUS}INDEX.md`);

/**
 * In-scope ("yes") corpus files that we reject on purpose: the feature they
 * use is not supported yet (or the file is not a usable config), with a
 * fragment of the expected message.
 */
const EXPECTED_REJECTIONS: Record<string, { reason: string; says: string }> = {
  "crossbar-examples__authentication__cryptosign__function__.crossbar__config.json":
    {
      reason: "cryptosign authentication of type function",
      says: 'cryptosign authentication type "function" is not supported yet',
    },
  "crossbar-examples__authentication__cryptosign__trustroot__.crossbar__config-shared.json":
    {
      reason: "cryptosign trustroots",
      says: "cryptosign trustroots (certificate chains) are not supported yet",
    },
  "crossbar-examples__authentication__cryptosign__trustroot__.crossbar__config-standalone.json":
    {
      reason: "cryptosign trustroots",
      says: "cryptosign trustroots (certificate chains) are not supported yet",
    },
  "crossbar-examples__authentication__scram__static__.crossbar__config.json": {
    reason: "scram authentication",
    says: "scram authentication is not supported yet",
  },
  "crossbar-examples__demos__editform__.crossbar__config_node_external.json": {
    reason: "version 1 config (permission actions outside allow)",
    says: 'actions go inside "allow" in version 2 configs',
  },
  "crossbar-examples__encryption__cryptobox__.crossbar__config.json": {
    reason: 'role "allow-by-default" and realm "trace"',
    says: '"allow-by-default" on a role is not supported yet',
  },
  "crossbar-examples__hello___hello_from_depr_cb_templates__browser__.crossbar__config.json":
    {
      reason: "unrendered template ({{ realm }} placeholder)",
      says: 'invalid realm name "{{ realm }}"',
    },
  "crossbar-examples__work__configtest__.crossbar__config.yaml": {
    reason: "YAML file",
    says: "YAML configs are not supported yet",
  },
  "crossbar-examples__rlinks___work__node1__.crossbar__config.json": {
    reason: "CrossbarFX controller.fabric",
    says: 'controller "fabric" (CrossbarFX edge nodes) is not supported',
  },
  "crossbar__src__crossbar__test__test_config1.json": {
    reason: "CrossbarFX controller.fabric-center",
    says:
      'controller "fabric-center" (CrossbarFX master nodes) is not supported',
  },
  "crossbar__test__cf1__.crossbar__config-empty.json": {
    reason: "CrossbarFX controller.fabric / enable_docker",
    says: 'controller "fabric" (CrossbarFX edge nodes) is not supported',
  },
  "crossbar__test__cf2__.crossbar__config-empty.json": {
    reason: "CrossbarFX controller.fabric / enable_docker",
    says: 'controller "fabric" (CrossbarFX edge nodes) is not supported',
  },
  "crossbar__test__cf2__.crossbar__config.json": {
    reason: "CrossbarFX controller.fabric",
    says: 'controller "fabric" (CrossbarFX edge nodes) is not supported',
  },
  "crossbar__test__cf3__.crossbar__config-empty.json": {
    reason: "CrossbarFX controller.fabric / enable_docker",
    says: 'controller "fabric" (CrossbarFX edge nodes) is not supported',
  },
  "crossbar__test__cf3__.crossbar__config.json": {
    reason: "CrossbarFX controller.fabric",
    says: 'controller "fabric" (CrossbarFX edge nodes) is not supported',
  },
  "crossbar__test__cf4__.crossbar__config-empty.json": {
    reason: "CrossbarFX controller.fabric / enable_docker",
    says: 'controller "fabric" (CrossbarFX edge nodes) is not supported',
  },
  "crossbar__test__cf4__.crossbar__config.json": {
    reason: "CrossbarFX controller.fabric",
    says: 'controller "fabric" (CrossbarFX edge nodes) is not supported',
  },
  "crossbar__test__cfc__.crossbar__config.json": {
    reason: "CrossbarFX controller.fabric-center",
    says:
      'controller "fabric-center" (CrossbarFX master nodes) is not supported',
  },
};

/**
 * Out-of-scope reasons (INDEX.md's "no: …" list) that the node supports
 * now; a file whose every reason is here is checked by the feature's own
 * corpus test (e.g. `tests/components/corpus_test.ts`), not rejected.
 */
const NOW_SUPPORTED: ReadonlySet<string> = new Set([
  "router components",
  "worker:container",
  "worker:guest",
  "transport:rawsocket",
  "transport:universal",
  "path:longpoll",
]);

/** Whether every out-of-scope reason of `scope` is in {@link NOW_SUPPORTED}. */
function nowSupported(scope: string): boolean {
  if (!scope.startsWith("no: ")) return false;
  return scope.slice(4).split(",").every((r) => NOW_SUPPORTED.has(r.trim()));
}

/** Corpus file name → "Web-node scope" column of INDEX.md. */
function readIndex(): Map<string, string> {
  const scope = new Map<string, string>();
  for (const line of Deno.readTextFileSync(`${CORPUS}INDEX.md`).split("\n")) {
    const link = /\]\(([^)]+)\)/.exec(line);
    if (!link || !line.startsWith("|")) continue;
    const cells = line.split("|").map((cell) => cell.trim());
    scope.set(link[1]!, cells[12]!);
  }
  return scope;
}

type Outcome = { ok: true; warnings: string[] } | {
  ok: false;
  error: ConfigError;
};

async function load(file: string): Promise<Outcome> {
  try {
    const { warnings } = await loadConfig(`${CORPUS}${file}`, { env: {} });
    return { ok: true, warnings };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, error };
  }
}

const POSITIONED_REGEXP = /^[^:]+:\d+:\d+: \S/;
const YAML_MESSAGE =
  ": YAML configs are not supported yet (convert the file to config.json)";

/** Problems with a rejection's wording: position on every line, our words. */
function checkRejection(file: string, error: ConfigError): string[] {
  const problems: string[] = [];
  if (/\.ya?ml$/.test(file)) {
    if (error.message !== `${CORPUS}${file}${YAML_MESSAGE}`) {
      problems.push(`${file}: unexpected YAML message: ${error.message}`);
    }
    return problems;
  }
  for (const line of error.message.split("\n")) {
    const rest = line.slice(CORPUS.length);
    if (!line.startsWith(CORPUS) || !POSITIONED_REGEXP.test(rest)) {
      problems.push(`${file}: line without file:line:column: ${line}`);
    }
    if (/Invalid (type|key|length)|Expected .* but received/.test(line)) {
      problems.push(`${file}: valibot's default wording leaked: ${line}`);
    }
  }
  return problems;
}

Deno.test({
  name: "loadConfig() accepts every in-scope corpus config",
  ignore: !HAVE_CORPUS,
  async fn() {
    const problems: string[] = [];
    let accepted = 0;
    for (const [file, scope] of readIndex()) {
      if (scope !== "yes" || file in EXPECTED_REJECTIONS) continue;
      const outcome = await load(file);
      if (outcome.ok) accepted++;
      else problems.push(`${file}:\n${outcome.error.message}`);
    }
    assertEquals(problems, []);
    assert(accepted >= 45, `only ${accepted} in-scope configs were checked`);
  },
});

Deno.test({
  name:
    "loadConfig() rejects in-scope corpus configs that need an unsupported feature, saying which",
  ignore: !HAVE_CORPUS,
  async fn() {
    const scope = readIndex();
    const problems: string[] = [];
    for (
      const [file, { reason, says }] of Object.entries(EXPECTED_REJECTIONS)
    ) {
      if (scope.get(file) !== "yes") {
        problems.push(`${file}: listed as in-scope here but not in INDEX.md`);
        continue;
      }
      const outcome = await load(file);
      if (outcome.ok) {
        problems.push(`${file}: accepted, though it uses ${reason}`);
        continue;
      }
      if (!outcome.error.message.includes(says)) {
        problems.push(
          `${file}: expected "${says}", got:\n${outcome.error.message}`,
        );
      }
      problems.push(...checkRejection(file, outcome.error));
    }
    assertEquals(problems, []);
  },
});

Deno.test({
  name:
    "loadConfig() rejects every out-of-scope corpus config with positioned messages",
  ignore: !HAVE_CORPUS,
  async fn() {
    const problems: string[] = [];
    let rejected = 0;
    for (const [file, scope] of readIndex()) {
      if (scope === "yes" || nowSupported(scope)) continue;
      const outcome = await load(file);
      if (outcome.ok) {
        problems.push(`${file}: accepted, though out of scope (${scope})`);
        continue;
      }
      rejected++;
      problems.push(...checkRejection(file, outcome.error));
    }
    assertEquals(problems, []);
    assert(
      rejected >= 50,
      `only ${rejected} out-of-scope configs were checked`,
    );
  },
});
