/**
 * Test helper: a path service entry as the config schema outputs it, so
 * that services get their defaults from the schema, as in a running node.
 */
import * as v from "valibot";

/**
 * Validates `input` with `schema` and returns the output (defaults filled).
 *
 * @param schema A service schema from `lib/config/_schema/services.ts`.
 * @param input The entry as a config would write it.
 * @returns The entry with every default applied.
 */
export function serviceConfig<
  S extends v.GenericSchema<unknown, unknown>,
>(schema: S, input: v.InferInput<S>): v.InferOutput<S> {
  return v.parse(schema, input);
}
