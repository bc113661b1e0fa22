/**
 * WAMP URI rules: syntax checks in Crossbar's `strict` and `loose` modes,
 * pattern matching (`exact`, `prefix`, `wildcard`) and Crossbar's starred
 * URI conversion for role permissions.
 *
 * @module
 */

/** How a subscription, registration or permission URI matches. */
export type MatchPolicy = "exact" | "prefix" | "wildcard";

/** Realm option `uri_check`. */
export type UriCheck = "strict" | "loose";

const STRICT_NON_EMPTY_REGEXP = /^([0-9a-z_]+\.)*([0-9a-z_]+)$/;
const STRICT_LAST_EMPTY_REGEXP = /^([0-9a-z_]+\.)*([0-9a-z_]*)$/;
const STRICT_EMPTY_REGEXP = /^(([0-9a-z_]+\.)|\.)*([0-9a-z_]+)?$/;
const LOOSE_NON_EMPTY_REGEXP = /^([^\s.#]+\.)*([^\s.#]+)$/;
const LOOSE_LAST_EMPTY_REGEXP = /^([^\s.#]+\.)*([^\s.#]*)$/;
const LOOSE_EMPTY_REGEXP = /^(([^\s.#]+\.)|\.)*([^\s.#]+)?$/;

/**
 * Whether `uri` is valid for use with `match`: exact URIs need non-empty
 * components, prefix URIs may have an empty last component (`com.ex.`),
 * wildcard URIs may have empty components anywhere (`com..update`).
 *
 * @param uri The URI to check.
 * @param match How it will be matched.
 * @param check `strict` (lower-case letters, digits, `_`) or `loose`.
 * @returns Whether it is valid.
 */
export function isValidUri(
  uri: string,
  match: MatchPolicy = "exact",
  check: UriCheck = "strict",
): boolean {
  if (uri.length > 4096) return false;
  const strict = check === "strict";
  switch (match) {
    case "exact":
      return (strict ? STRICT_NON_EMPTY_REGEXP : LOOSE_NON_EMPTY_REGEXP)
        .test(uri);
    case "prefix":
      return (strict ? STRICT_LAST_EMPTY_REGEXP : LOOSE_LAST_EMPTY_REGEXP)
        .test(uri);
    case "wildcard":
      return (strict ? STRICT_EMPTY_REGEXP : LOOSE_EMPTY_REGEXP).test(uri);
  }
}

/** Whether `value` names a match policy. */
export function isMatchPolicy(value: unknown): value is MatchPolicy {
  return value === "exact" || value === "prefix" || value === "wildcard";
}

/**
 * Whether a wildcard pattern (components split on `.`, empty = any) matches
 * a URI's components: same count, and every non-empty component equal.
 *
 * @param pattern Pattern components.
 * @param parts URI components.
 * @returns Whether they match.
 */
export function wildcardMatches(
  pattern: readonly string[],
  parts: readonly string[],
): boolean {
  if (pattern.length !== parts.length) return false;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p !== "" && p !== parts[i]) return false;
  }
  return true;
}

/**
 * Compares two wildcard patterns by the spec's precedence: the pattern with
 * a concrete component at the first position where they differ wins.
 *
 * @returns Negative when `a` wins, positive when `b` wins, 0 when equal.
 */
export function compareWildcards(
  a: readonly string[],
  b: readonly string[],
): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a[i] !== "";
    const cb = b[i] !== "";
    if (ca !== cb) return ca ? -1 : 1;
  }
  return 0;
}

/**
 * Converts a permission URI without explicit `match` the way Crossbar does
 * (autobahn `convert_starred_uri`): no `*` is exact; one trailing `*` is a
 * prefix (`com.ex.*` → `com.ex.`); `*` elsewhere is a wildcard with empty
 * components (`com.*.foo` → `com..foo`); `*` alone is the prefix `""`.
 *
 * @param uri The configured URI, possibly with stars.
 * @returns The URI and match policy to use.
 */
export function convertStarredUri(
  uri: string,
): { uri: string; match: MatchPolicy } {
  const stars = uri.split("*").length - 1;
  if (stars === 0) return { uri, match: "exact" };
  if (stars === 1 && uri.endsWith("*")) {
    return { uri: uri.slice(0, -1), match: "prefix" };
  }
  return { uri: uri.replaceAll("*", ""), match: "wildcard" };
}
