/**
 * The nesting limit of bridge bodies: a JSON body nested deeper than a WAMP
 * message may be (`MAX_DEPTH` of the codecs) could never be delivered, so it
 * is refused with 400 before anything is published or called.
 *
 * @module
 */
import { MAX_DEPTH } from "../wamp/codecs/_values.ts";

/** Deepest nesting of a bridge body (the body object itself is 1). */
export const MAX_BODY_DEPTH: number = MAX_DEPTH;

/**
 * Whether `value` nests objects and arrays deeper than `max`; walks with an
 * explicit stack, so any depth is measured without recursion.
 *
 * @param value A decoded JSON value.
 * @param max The deepest nesting allowed (a bare object or array is 1).
 * @returns `true` when it is nested deeper.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const item = stack.pop() as object;
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
