/**
 * Realm configs handed to {@link createRouter} as written are run through
 * the config schema (`lib/config/_schema/router.ts`), the one place their
 * keys, checks and defaults live; a config the node loaded passes
 * unchanged.
 *
 * @module
 */
import * as v from "valibot";
import { RealmSchema } from "../config/_schema/router.ts";
import type { RealmConfig as ValidRealmConfig } from "../config/mod.ts";
import type { RealmConfig } from "./realm.ts";

/**
 * Validates one realm config and applies the schema's defaults.
 *
 * @param input A realm as written (Crossbar's JSON shape).
 * @returns The realm config with every default applied.
 * @throws {TypeError} Naming the realm, the key and what is wrong.
 */
export function validRealmConfig(input: RealmConfig): ValidRealmConfig {
  const result = v.safeParse(RealmSchema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const at = v.getDotPath(issue);
  const name = typeof input?.name === "string" ? ` "${input.name}"` : "";
  throw new TypeError(
    `Invalid realm config${name}: ${
      at === null ? "" : `${at}: `
    }${issue.message}`,
  );
}
