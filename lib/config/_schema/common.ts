/**
 * Schema building blocks with our own error wording. Every schema here
 * carries a message function, so valibot's default English never reaches
 * the user.
 *
 * Conventions the issue formatter relies on:
 * - an unknown key is a `never` issue whose message lists the allowed keys;
 * - an attribute we do not support yet is a `custom` issue (shown at the key);
 * - everything else carries its final message.
 *
 * @module
 */

import * as v from "valibot";
import { describeValue, didYouMean, quoteList } from "../_messages.ts";

/** A valibot message function. */
export type MessageFn = (issue: v.BaseIssue<unknown>) => string;

/** Any schema, as used in entry tables. */
export type AnySchema = v.GenericSchema<unknown, unknown>;

/** Crossbar's id rule for workers, transports, services and realms. */
export const ID_REGEXP = /^[a-z][a-z0-9_]{2,63}$/;

/**
 * Builds `expected <what>, found <value>`.
 *
 * @param what The expected kind of value, with its article.
 * @returns A message function.
 */
export function expected(what: string): MessageFn {
  return (issue) => `expected ${what}, found ${describeValue(issue.input)}`;
}

/** A string. */
export function str(): v.StringSchema<MessageFn> {
  return v.string(expected("a string"));
}

/** A non-empty string. */
export function text(): v.GenericSchema<string> {
  return v.pipe(
    v.string(expected("a string")),
    v.check((s) => s.length > 0, expected("a non-empty string")),
  );
}

/** A boolean. */
export function bool(): v.BooleanSchema<MessageFn> {
  return v.boolean(expected("true or false"));
}

/** A list of strings. */
export function strList(): v.GenericSchema<string[]> {
  return v.array(str(), expected("a list of strings"));
}

/**
 * An integer in `[min, max]`, with one message for every failure.
 *
 * @param min The smallest value allowed.
 * @param max The largest value allowed, if any.
 * @returns The schema.
 */
export function int(min: number, max?: number): v.GenericSchema<number> {
  const what = max === undefined
    ? `an integer of at least ${min}`
    : `an integer from ${min} to ${max}`;
  return v.pipe(
    v.number(expected(what)),
    v.check(
      (n) => Number.isInteger(n) && n >= min && (max === undefined || n <= max),
      expected(what),
    ),
  );
}

/**
 * A number of seconds greater than zero (fractions allowed).
 *
 * @returns The schema.
 */
export function seconds(): v.GenericSchema<number> {
  const what = "a number of seconds greater than 0";
  return v.pipe(
    v.number(expected(what)),
    v.check((n) => Number.isFinite(n) && n > 0, expected(what)),
  );
}

/**
 * One of a fixed set of values, with a "did you mean" hint.
 *
 * @param choices The allowed values.
 * @returns The schema.
 */
export function oneOf<const T extends readonly (string | number)[]>(
  choices: T,
): v.PicklistSchema<T, MessageFn> {
  const words = choices.filter((c): c is string => typeof c === "string");
  return v.picklist(
    choices,
    (issue) =>
      `expected one of ${quoteList(choices)}, found ${
        describeValue(issue.input)
      }${didYouMean(issue.input, words)}`,
  );
}

/**
 * An id matching Crossbar's `^[a-z][a-z0-9_]{2,63}$`.
 *
 * @returns The schema.
 */
export function id(): v.GenericSchema<string> {
  return v.pipe(
    str(),
    v.check(
      (s) => ID_REGEXP.test(s),
      (issue) =>
        `invalid id ${
          JSON.stringify(issue.input)
        } (expected a lowercase letter, then 2 to 63 lowercase letters, digits or "_")`,
    ),
  );
}

/**
 * Rejects lists where an object is expected (valibot's object schemas take
 * any `typeof "object"`).
 */
export function notArray(what: string): v.GenericSchema<unknown> {
  return v.custom<unknown>(
    (input) => !Array.isArray(input),
    expected(what),
  );
}

/** Schemas that stand for "not supported yet" attributes. */
const UNSUPPORTED = new WeakSet<object>();

/**
 * An attribute Crossbar knows but this node does not support yet. Absent is
 * fine; present is an error shown at the key.
 *
 * @param message What is not supported, e.g. `router components are not
 * supported yet`.
 * @returns An optional schema that rejects every value.
 */
export function unsupported(
  message: string,
): v.ExactOptionalSchema<v.GenericSchema<never>, undefined> {
  const schema = v.exactOptional(v.custom<never>(() => false, message));
  UNSUPPORTED.add(schema);
  return schema;
}

/**
 * A value that is always rejected with the given message, at the value.
 *
 * @param message The message.
 * @returns The schema.
 */
export function reject(message: string): v.GenericSchema<never> {
  return v.pipe(
    v.unknown(),
    v.check(() => false, message),
  ) as unknown as v.GenericSchema<never>;
}

/** What an unknown-key issue carries to the formatter (as its message). */
export interface UnknownKeyInfo {
  /** The keys that are allowed. */
  allowed: string[];
  /** Extra advice for particular unknown keys. */
  hints?: Record<string, string>;
}

/**
 * A strict object: each unknown key is its own issue (valibot's
 * `strictObject` reports only the first), and the message lists the allowed
 * keys. Typed as a `StrictObjectSchema` so that the output has no index
 * signature.
 *
 * @param entries The known attributes.
 * @param what What the object is, for a wrong-type message.
 * @param hints Advice for particular unknown keys.
 * @returns The schema.
 */
export function strict<const E extends v.ObjectEntries>(
  entries: E,
  what = "an object",
  hints?: Record<string, string>,
): v.StrictObjectSchema<E, undefined> {
  const allowed = Object.keys(entries).filter((key) =>
    !UNSUPPORTED.has(entries[key] as object)
  );
  const info: UnknownKeyInfo = hints ? { allowed, hints } : { allowed };
  const object = v.objectWithRest(
    entries,
    v.never(JSON.stringify(info)),
    (issue) =>
      issue.expected?.startsWith('"')
        ? `missing required attribute ${issue.expected}`
        : `expected ${what}, found ${describeValue(issue.input)}`,
  );
  const schema = v.pipe(notArray(what), object);
  return schema as unknown as v.StrictObjectSchema<E, undefined>;
}

/**
 * A map of names to values (principals, users, MIME types).
 *
 * @param value The schema for each value.
 * @param what What the object is, for a wrong-type message.
 * @returns The schema.
 */
export function dict<T extends AnySchema>(
  value: T,
  what = "an object",
): v.GenericSchema<
  Record<string, v.InferInput<T>>,
  Record<string, v.InferOutput<T>>
> {
  const record = v.record(v.string(), value, expected(what));
  return v.pipe(notArray(what), record) as unknown as v.GenericSchema<
    Record<string, v.InferInput<T>>,
    Record<string, v.InferOutput<T>>
  >;
}

/** Options for {@link byType}. */
export interface ByTypeOptions {
  /** The kind of thing, e.g. `worker`, `path service`, `endpoint`. */
  readonly kind: string;
  /** Known types that are not supported yet. */
  readonly unsupported?: readonly string[];
  /** The value of `type` when it is absent, if it may be. */
  readonly defaultType?: string;
  /**
   * Wording for an unknown type, given the quoted type and the known types.
   * @default `unknown <kind> type "x" (expected one of: …)`
   */
  readonly unknown?: (type: string, known: string) => string;
}

/**
 * A union discriminated on `type`: the `type` is checked first, then only
 * the schema for that type runs, so the user never sees a union of every
 * variant's attributes.
 *
 * @param table The schema for each supported `type`.
 * @param options Names and unsupported types.
 * @returns The schema.
 */
export function byType<const T extends Record<string, AnySchema>>(
  table: T,
  options: ByTypeOptions,
): v.GenericSchema<v.InferInput<T[keyof T]>, v.InferOutput<T[keyof T]>> {
  const supported = Object.keys(table);
  const known = [...supported, ...(options.unsupported ?? [])];
  const missingType = v.looseObject(
    { type: v.string() },
    `missing required attribute "type" (one of: ${supported.join(", ")})`,
  );
  return v.lazy((input: unknown) => {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return v.pipe(
        v.unknown(),
        v.check(() => false, expected(`an object (a ${options.kind})`)),
      );
    }
    const type = (input as { type?: unknown }).type ?? options.defaultType;
    if (type === undefined) return missingType;
    if (typeof type === "string" && Object.hasOwn(table, type)) {
      return table[type]!;
    }
    if (typeof type === "string" && known.includes(type)) {
      return v.looseObject({
        type: reject(
          `${options.kind} type ${
            JSON.stringify(type)
          } is not supported yet (supported: ${supported.join(", ")})`,
        ),
      });
    }
    const shown = typeof type === "string"
      ? JSON.stringify(type)
      : describeValue(type);
    const message = options.unknown?.(shown, known.join(", ")) ??
      `unknown ${options.kind} type ${shown} (expected one of: ${
        known.join(", ")
      })`;
    return v.looseObject({
      type: reject(`${message}${didYouMean(type, known)}`),
    });
  }) as unknown as v.GenericSchema<
    v.InferInput<T[keyof T]>,
    v.InferOutput<T[keyof T]>
  >;
}
