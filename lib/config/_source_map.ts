/**
 * Parses JSONC text into a value plus a way to find the line and column of
 * any JSON path in it.
 *
 * @module
 */

import { findJsonNode, type JsonNode, parseJsoncTree } from "../jsonc/parse.ts";
import type { ConfigIssue } from "./config_error.ts";

/** A 1-based position. */
export interface Position {
  line: number;
  column: number;
}

/** A path into a JSON value. */
export type JsonPath = readonly (string | number)[];

/**
 * Keys that would reach object internals in JavaScript. They are never
 * valid attribute names, and valibot skips them silently, so they are
 * reported instead.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "prototype",
]);

/** A key found in the document, with where it is written. */
export interface KeyAt {
  readonly path: JsonPath;
  readonly position: Position;
}

/** A parsed JSONC document. */
export class SourceMap {
  /** The parsed value (objects hold only own, plain-data properties). */
  readonly value: unknown;
  /** Keys written more than once in the same object (each later one). */
  readonly duplicateKeys: KeyAt[] = [];
  /** Keys such as `__proto__` that are never allowed. */
  readonly forbiddenKeys: KeyAt[] = [];
  #root: JsonNode;
  #lineStarts: number[];

  /**
   * @param root The parse tree.
   * @param lineStarts Offsets at which each line starts.
   */
  constructor(root: JsonNode, lineStarts: number[]) {
    this.#root = root;
    this.#lineStarts = lineStarts;
    this.value = this.#toValue(root, []);
  }

  /** Builds the value; a later duplicate key wins, as in `JSON.parse`. */
  #toValue(node: JsonNode, path: (string | number)[]): unknown {
    if (node.type === "array") {
      return (node.children ?? []).map((child, i) =>
        this.#toValue(child, [...path, i])
      );
    }
    if (node.type !== "object") return node.value;
    const object: Record<string, unknown> = {};
    for (const property of node.children ?? []) {
      const [keyNode, valueNode] = property.children ?? [];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      const at = {
        path: [...path, key],
        position: this.position(keyNode.offset),
      };
      if (FORBIDDEN_KEYS.has(key)) {
        this.forbiddenKeys.push(at);
        continue;
      }
      if (Object.hasOwn(object, key)) this.duplicateKeys.push(at);
      object[key] = valueNode ? this.#toValue(valueNode, [...path, key]) : null;
    }
    return object;
  }

  /**
   * Finds where a path is written: the value, or the key when `atKey`.
   * A path that does not exist gives the position of its deepest existing
   * ancestor.
   *
   * @param path The JSON path.
   * @param atKey Point at the property's key rather than its value.
   * @returns The position.
   */
  locate(path: JsonPath, atKey = false): Position {
    for (let n = path.length; n >= 0; n--) {
      const node = findJsonNode(this.#root, path.slice(0, n));
      if (node === undefined) continue;
      const key = node.parent?.type === "property"
        ? node.parent.children?.[0]
        : undefined;
      const target = atKey && n === path.length && key ? key : node;
      return this.position(target.offset);
    }
    return this.position(this.#root.offset);
  }

  /**
   * Converts an offset into a 1-based line and column.
   *
   * @param offset A character offset in the text.
   * @returns The position.
   */
  position(offset: number): Position {
    let lo = 0;
    let hi = this.#lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.#lineStarts[lo]! + 1 };
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

/**
 * Parses JSONC (comments and trailing commas allowed).
 *
 * @param text The document.
 * @param file The file name for syntax issues.
 * @returns The source map, or the syntax issues.
 */
export function parseJsonc(
  text: string,
  file: string,
): SourceMap | ConfigIssue[] {
  const starts = lineStarts(text);
  if (text.trim() === "") {
    return [{
      file,
      line: 1,
      column: 1,
      path: "",
      message: "invalid JSON: the file is empty",
    }];
  }
  const parsed = parseJsoncTree(text);
  if ("root" in parsed) return new SourceMap(parsed.root, starts);
  const blank = new SourceMap({ type: "null", offset: 0 }, starts);
  return [{
    file,
    ...blank.position(parsed.error.offset),
    path: "",
    message: `invalid JSON: ${parsed.error.message}`,
  }];
}
