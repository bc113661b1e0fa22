import { assert, assertEquals, assertThrows } from "../_helpers/assert.ts";
import {
  findJsonNode,
  type JsonNode,
  parseJsonc,
  parseJsoncTree,
} from "../../lib/jsonc/parse.ts";

function value(node: JsonNode): unknown {
  if (node.type === "array") return node.children!.map(value);
  if (node.type === "object") {
    return Object.fromEntries(
      node.children!.map((
        p,
      ) => [p.children![0]!.value, value(p.children![1]!)]),
    );
  }
  return node.value;
}

function parse(text: string): unknown {
  const parsed = parseJsoncTree(text);
  if ("error" in parsed) throw new Error(parsed.error.message);
  return value(parsed.root);
}

function error(text: string) {
  const parsed = parseJsoncTree(text);
  return "error" in parsed ? parsed.error : undefined;
}

Deno.test("parseJsoncTree() reads what JSON.parse reads", () => {
  const samples = [
    `{"a": [1, -2.5e3, 0, true, false, null], "b": {"c": "d"}}`,
    `"\\u00e9\\n\\t\\"\\\\\\/"`,
    `[]`,
    `{}`,
    ` 12 `,
    `"😀 ünïcode"`,
  ];
  for (const text of samples) assertEquals(parse(text), JSON.parse(text), text);
});

Deno.test("parseJsoncTree() allows comments, trailing commas and a BOM", () => {
  const text = `\ufeff// top
{
  /* block
     comment */ "a": [1, 2,], // trailing
  "b": "// not a comment",
}`;
  assertEquals(parse(text), { a: [1, 2], b: "// not a comment" });
});

Deno.test("parseJsoncTree() reports the offset of the first syntax error", () => {
  const cases: [string, number, string][] = [
    [`[1 2]`, 3, 'expected a comma (",")'],
    [`{"a" 1}`, 5, 'expected a colon (":")'],
    [`{a: 1}`, 1, "expected a property name in double quotes"],
    [`{"a": }`, 6, "expected a value"],
    [`{"a": 1`, 7, 'expected a closing brace ("}")'],
    [`[1,`, 3, 'expected a closing bracket ("]")'],
    [`"abc`, 4, "unexpected end of file in a string"],
    [`"a\\x"`, 2, "invalid escape character"],
    [`"\\u12g4"`, 1, "invalid unicode escape"],
    [`01`, 0, "invalid number format"],
    [`1.`, 0, "invalid number format"],
    [`nul`, 0, "expected a value"],
    [`/* open`, 0, "unterminated comment"],
    [`{} x`, 3, "expected the end of the file"],
    [``, 0, "unexpected end of file"],
    ['"a\u0001"', 2, "invalid character in a string"],
  ];
  for (const [text, offset, message] of cases) {
    assertEquals(error(text), { offset, message }, text);
  }
});

Deno.test("findJsonNode() follows paths and prefers the last duplicate key", () => {
  const text = `{"w": [{"t": 1}, {"t": 2}], "d": 1, "d": 2}`;
  const parsed = parseJsoncTree(text);
  if ("error" in parsed) throw new Error(parsed.error.message);
  const root = parsed.root;
  assertEquals(findJsonNode(root, ["w", 1, "t"])?.value, 2);
  assertEquals(findJsonNode(root, ["w", 1, "t"])?.offset, text.indexOf("2}"));
  assertEquals(findJsonNode(root, ["d"])?.value, 2);
  assertEquals(findJsonNode(root, ["w", 5]), undefined);
  assertEquals(findJsonNode(root, ["w", "x"]), undefined);
});

Deno.test("parseJsonc() gives the value JSON.parse gives without comments and trailing commas", () => {
  const text = `// deno.jsonc
{
  "imports": { "a": "./a.ts", /* keep */ "url": "https://x/y//z" },
  "tasks": ["a, }", "b",],
  "d": 1, "d": 2,
}`;
  assertEquals(parseJsonc(text), {
    imports: { a: "./a.ts", url: "https://x/y//z" },
    tasks: ["a, }", "b"],
    d: 2,
  });
  const own = parseJsonc(`{"__proto__": {"polluted": true}}`) as Record<
    string,
    unknown
  >;
  assertEquals(Object.getPrototypeOf(own), Object.prototype);
  assert(Object.hasOwn(own, "__proto__"), "__proto__ is an own key");
  assertEquals(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("parseJsonc() throws a SyntaxError naming line and column", () => {
  const error = assertThrows(
    () => parseJsonc(`{\n  "imports": {\n    "a": 1 "b": 2\n  }\n}`),
    SyntaxError,
  );
  assertEquals(error.message, 'line 3, column 12: expected a comma (",")');
  assertThrows(() => parseJsonc(`{ "imports": `), SyntaxError);
});
