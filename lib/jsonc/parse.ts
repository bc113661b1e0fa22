/**
 * A JSONC parser that keeps where every value is written: JSON plus `//`
 * and `/* *\/` comments and trailing commas, as VS Code's settings files
 * and Deno's `deno.jsonc` allow. It builds a tree of nodes with character
 * offsets, so config errors can name a line and column, and stops at the
 * first syntax error.
 *
 * It imports nothing, so both the node's config reader (`lib/config/`,
 * which maps the tree back to positions) and the launcher (`lib/launcher/`,
 * which must load with no dependencies and wants only the value,
 * {@link parseJsonc}) use it.
 *
 * Ours rather than an npm package: the one we used loaded as CommonJS and
 * cost ~110 ms of every start-up.
 *
 * @module
 */

/** A node of the parse tree. */
export interface JsonNode {
  /** What the node is; a `property` holds a key node and a value node. */
  readonly type:
    | "object"
    | "array"
    | "property"
    | "string"
    | "number"
    | "boolean"
    | "null";
  /** Offset of the node's first character. */
  readonly offset: number;
  /** The value of a leaf (the key text, for a property's key node). */
  readonly value?: unknown;
  /** Properties of an object, elements of an array, or [key, value]. */
  readonly children?: JsonNode[];
  /** The enclosing node. */
  readonly parent?: JsonNode | undefined;
}

/** Where and why parsing stopped. */
export interface JsonSyntaxError {
  /** Offset of the offending character. */
  readonly offset: number;
  /** What was wrong, e.g. `expected a comma (",")`. */
  readonly message: string;
}

/** Thrown inside the parser; turned into a {@link JsonSyntaxError}. */
class Stop {
  constructor(readonly offset: number, readonly message: string) {}
}

const NUMBER_REGEXP = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/**
 * Parses JSONC text into a tree.
 *
 * @param text The document.
 * @returns The root node, or the first syntax error.
 */
export function parseJsoncTree(
  text: string,
): { root: JsonNode } | { error: JsonSyntaxError } {
  const parser = new Parser(text);
  try {
    return { root: parser.parseDocument() };
  } catch (error) {
    if (error instanceof Stop) {
      return { error: { offset: error.offset, message: error.message } };
    }
    throw error;
  }
}

/**
 * Parses JSONC text into its value, as `JSON.parse` would parse the text
 * without its comments and trailing commas (a later duplicate key wins;
 * `__proto__` stays an own property).
 *
 * @example Read a deno.jsonc
 * ```ts
 * import { parseJsonc } from "./parse.ts";
 *
 * const config = parseJsonc('{ "imports": {}, /* none yet *\/ }');
 * if (JSON.stringify(config) !== '{"imports":{}}') throw new Error();
 * ```
 *
 * @param text The document.
 * @returns The value.
 * @throws {SyntaxError} Naming the line, the column and what is wrong.
 */
export function parseJsonc(text: string): unknown {
  const parsed = parseJsoncTree(text);
  if ("root" in parsed) return jsonValue(parsed.root);
  const { offset, message } = parsed.error;
  const before = text.slice(0, offset).split(/\r\n?|\n/);
  throw new SyntaxError(
    `line ${before.length}, column ${before.at(-1)!.length + 1}: ${message}`,
  );
}

function jsonValue(node: JsonNode): unknown {
  if (node.type === "array") return (node.children ?? []).map(jsonValue);
  if (node.type !== "object") return node.value;
  const object: Record<string, unknown> = {};
  for (const property of node.children ?? []) {
    const [key, value] = property.children ?? [];
    if (key === undefined || value === undefined) continue;
    Object.defineProperty(object, String(key.value), {
      value: jsonValue(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

/**
 * Finds the node at a JSON path (`["workers", 0, "type"]`); for a key
 * written twice, the last one, as `JSON.parse` keeps.
 *
 * @param root The tree.
 * @param path Property names and array indexes.
 * @returns The node, or `undefined` when the path does not exist.
 */
export function findJsonNode(
  root: JsonNode,
  path: readonly (string | number)[],
): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const segment of path) {
    if (node === undefined) return undefined;
    if (node.type === "array" && typeof segment === "number") {
      node = node.children?.[segment];
    } else if (node.type === "object" && typeof segment === "string") {
      const property: JsonNode | undefined = node.children?.findLast((p) =>
        p.children?.[0]?.value === segment
      );
      node = property?.children?.[1];
    } else {
      return undefined;
    }
  }
  return node;
}

/**
 * Deepest nesting of objects and arrays the parser accepts; Crossbar's own
 * configs nest about 10 deep.
 */
export const MAX_NESTING = 100;

class Parser {
  #text: string;
  #at = 0;
  #depth = 0;

  constructor(text: string) {
    this.#text = text;
  }

  parseDocument(): JsonNode {
    if (this.#text.charCodeAt(0) === 0xfeff) this.#at = 1;
    this.#skipTrivia();
    const root = this.#value(undefined);
    this.#skipTrivia();
    if (this.#at < this.#text.length) {
      throw new Stop(this.#at, "expected the end of the file");
    }
    return root;
  }

  #value(parent: JsonNode | undefined): JsonNode {
    const c = this.#text[this.#at];
    if (c === undefined) throw new Stop(this.#at, "unexpected end of file");
    if (c === "{") return this.#object(parent);
    if (c === "[") return this.#array(parent);
    if (c === '"') return this.#string(parent);
    if (c === "-" || (c >= "0" && c <= "9")) return this.#number(parent);
    for (const [word, value] of [["true", true], ["false", false]] as const) {
      if (this.#text.startsWith(word, this.#at)) {
        return this.#leaf(parent, "boolean", value, word.length);
      }
    }
    if (this.#text.startsWith("null", this.#at)) {
      return this.#leaf(parent, "null", null, 4);
    }
    throw new Stop(this.#at, "expected a value");
  }

  #leaf(
    parent: JsonNode | undefined,
    type: JsonNode["type"],
    value: unknown,
    length: number,
  ): JsonNode {
    const node = { type, offset: this.#at, value, parent };
    this.#at += length;
    return node;
  }

  /** Enters an object or array; refuses nesting beyond MAX_NESTING. */
  #enter(): void {
    if (++this.#depth > MAX_NESTING) {
      throw new Stop(
        this.#at,
        `values nested deeper than ${MAX_NESTING} levels (objects and arrays)`,
      );
    }
  }

  #object(parent: JsonNode | undefined): JsonNode {
    this.#enter();
    const children: JsonNode[] = [];
    const node: JsonNode = {
      type: "object",
      offset: this.#at,
      children,
      parent,
    };
    this.#at++;
    this.#items("}", 'expected a closing brace ("}")', () => {
      if (this.#text[this.#at] !== '"') {
        throw new Stop(this.#at, "expected a property name in double quotes");
      }
      const pair: JsonNode[] = [];
      const property: JsonNode = {
        type: "property",
        offset: this.#at,
        children: pair,
        parent: node,
      };
      pair.push(this.#string(property));
      this.#skipTrivia();
      if (this.#text[this.#at] !== ":") {
        throw new Stop(this.#at, 'expected a colon (":")');
      }
      this.#at++;
      this.#skipTrivia();
      pair.push(this.#value(property));
      children.push(property);
    });
    this.#depth--;
    return node;
  }

  #array(parent: JsonNode | undefined): JsonNode {
    this.#enter();
    const children: JsonNode[] = [];
    const node: JsonNode = {
      type: "array",
      offset: this.#at,
      children,
      parent,
    };
    this.#at++;
    this.#items("]", 'expected a closing bracket ("]")', () => {
      children.push(this.#value(node));
    });
    this.#depth--;
    return node;
  }

  /** Comma-separated items up to `close`; a trailing comma is allowed. */
  #items(close: string, unclosed: string, item: () => void): void {
    this.#skipTrivia();
    while (this.#text[this.#at] !== close) {
      if (this.#at >= this.#text.length) throw new Stop(this.#at, unclosed);
      item();
      this.#skipTrivia();
      const c = this.#text[this.#at];
      if (c === ",") {
        this.#at++;
        this.#skipTrivia();
      } else if (c !== close) {
        throw new Stop(
          this.#at,
          c === undefined ? unclosed : 'expected a comma (",")',
        );
      }
    }
    this.#at++;
  }

  #string(parent: JsonNode | undefined): JsonNode {
    const text = this.#text;
    const offset = this.#at;
    let value = "";
    let run = ++this.#at;
    for (;;) {
      const code = text.charCodeAt(this.#at);
      if (Number.isNaN(code)) {
        throw new Stop(this.#at, "unexpected end of file in a string");
      }
      if (code === 0x22) break;
      if (code < 0x20) {
        throw new Stop(this.#at, "invalid character in a string");
      }
      if (code === 0x5c) {
        value += text.slice(run, this.#at) + this.#escape();
        run = this.#at;
      } else {
        this.#at++;
      }
    }
    value += text.slice(run, this.#at);
    this.#at++;
    return { type: "string", offset, value, parent };
  }

  #escape(): string {
    const c = this.#text[this.#at + 1];
    if (c === "u") {
      const hex = this.#text.slice(this.#at + 2, this.#at + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
        throw new Stop(this.#at, "invalid unicode escape");
      }
      this.#at += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    const escaped = c === undefined ? undefined : ESCAPES[c];
    if (escaped === undefined) {
      throw new Stop(this.#at, "invalid escape character");
    }
    this.#at += 2;
    return escaped;
  }

  #number(parent: JsonNode | undefined): JsonNode {
    NUMBER_REGEXP.lastIndex = this.#at;
    const match = NUMBER_REGEXP.exec(this.#text);
    const next = this.#text[this.#at + (match?.[0].length ?? 0)];
    if (match === null || (next !== undefined && /[0-9A-Za-z.+-]/.test(next))) {
      throw new Stop(this.#at, "invalid number format");
    }
    return this.#leaf(parent, "number", Number(match[0]), match[0].length);
  }

  #skipTrivia(): void {
    const text = this.#text;
    for (;;) {
      const c = text[this.#at];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") {
        this.#at++;
      } else if (c === "/" && text[this.#at + 1] === "/") {
        const end = text.indexOf("\n", this.#at);
        this.#at = end === -1 ? text.length : end + 1;
      } else if (c === "/" && text[this.#at + 1] === "*") {
        const end = text.indexOf("*/", this.#at + 2);
        if (end === -1) throw new Stop(this.#at, "unterminated comment");
        this.#at = end + 2;
      } else {
        return;
      }
    }
  }
}
