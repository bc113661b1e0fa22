/**
 * Which of two registrations a call reaches, over the whole cluster: exact
 * before prefix before wildcard, the longest prefix, the wildcard with
 * concrete components first (the router's own order, `_pattern_table.ts`).
 *
 * @module
 */
import {
  compareWildcards,
  type MatchPolicy,
  wildcardMatches,
} from "../wamp/uri.ts";

/** What the order needs of a registration. */
export interface Candidate {
  /** Procedure or pattern. */
  readonly uri: string;
  /** Match policy. */
  readonly match: MatchPolicy;
  /** Pattern components (wildcard). */
  readonly parts: readonly string[];
}

const MATCH_RANK: Record<MatchPolicy, number> = {
  exact: 0,
  prefix: 1,
  wildcard: 2,
};

/** Whether candidate `a` is a strictly better match than `b`. */
export function better(a: Candidate, b: Candidate): boolean {
  if (MATCH_RANK[a.match] !== MATCH_RANK[b.match]) {
    return MATCH_RANK[a.match] < MATCH_RANK[b.match];
  }
  if (a.match === "prefix") return a.uri.length > b.uri.length;
  if (a.match === "wildcard") return compareWildcards(a.parts, b.parts) < 0;
  return false;
}

/** Whether `candidate` matches `uri` (split into `parts`). */
export function matches(
  candidate: Candidate,
  uri: string,
  parts: readonly string[],
): boolean {
  switch (candidate.match) {
    case "exact":
      return candidate.uri === uri;
    case "prefix":
      return uri.startsWith(candidate.uri);
    default:
      return wildcardMatches(candidate.parts, parts);
  }
}

/** Whether two candidates are the same (uri, match) pair. */
export function same(a: Candidate, b: Candidate): boolean {
  return a.uri === b.uri && a.match === b.match;
}
