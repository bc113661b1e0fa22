/**
 * Measures how deeply a decoded JSON value nests, without recursion, so
 * that over-deep input (config values, bridge bodies) is refused before any
 * recursive code can overflow the stack on it.
 *
 * @module
 */

/**
 * Whether `value` nests objects and arrays deeper than `max`; walks with an
 * explicit stack, so any depth is measured safely.
 *
 * @param value A decoded JSON value.
 * @param max The deepest nesting allowed (a bare object or array is 1).
 * @returns `true` when it is nested deeper.
 *
 * @example
 * ```ts
 * import { nestsDeeperThan } from "./json_depth.ts";
 * console.assert(nestsDeeperThan([[[]]], 2));
 * console.assert(!nestsDeeperThan({ a: [1] }, 2));
 * ```
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  const stack: object[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(item) ? item : Object.values(item);
    for (const child of children) {
      if (typeof child === "object" && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}
