/**
 * Wording helpers shared by the schema and the issue formatter: how a found
 * value is described and the "did you mean" hint.
 *
 * @module
 */

const MAX_SHOWN_STRING = 60;

/**
 * Describes a value found in the config for an error message, e.g.
 * `a number (42)`, `a string ("x")`, `a list`, `null`.
 *
 * @param value Any value taken from the config.
 * @returns A short description in plain words.
 */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return `a string (${quote(value)})`;
    case "number":
      return `a number (${value})`;
    case "boolean":
      return `a boolean (${value})`;
    case "object":
      return "an object";
    case "undefined":
      return "nothing";
    default:
      return `a ${typeof value}`;
  }
}

/**
 * Quotes a string for a message, shortening very long ones.
 *
 * @param text The text to quote.
 * @returns The text in double quotes, JSON-escaped.
 */
export function quote(text: string): string {
  const shown = text.length > MAX_SHOWN_STRING
    ? `${text.slice(0, MAX_SHOWN_STRING)}…`
    : text;
  return JSON.stringify(shown);
}

/**
 * Lists choices for a message: `"a", "b", "c"`.
 *
 * @param choices The allowed values.
 * @returns The quoted values joined by commas.
 */
export function quoteList(choices: readonly (string | number)[]): string {
  return choices.map((c) => typeof c === "string" ? quote(c) : String(c))
    .join(", ");
}

/**
 * Finds the closest allowed word to a misspelt one.
 *
 * @param word The word found in the config.
 * @param choices The allowed words.
 * @returns The best candidate, or `undefined` when none is close enough.
 */
export function closestMatch(
  word: string,
  choices: readonly string[],
): string | undefined {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const distance = editDistance(word.toLowerCase(), choice.toLowerCase());
    if (distance < bestDistance) {
      best = choice;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/**
 * Returns `; did you mean "x"?` for a close match, else `""`.
 *
 * @param word The word found in the config.
 * @param choices The allowed words.
 * @returns The hint suffix.
 */
export function didYouMean(word: unknown, choices: readonly string[]): string {
  if (typeof word !== "string") return "";
  const match = closestMatch(word, choices);
  return match === undefined || match === word
    ? ""
    : `; did you mean ${quote(match)}?`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + cost,
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}
