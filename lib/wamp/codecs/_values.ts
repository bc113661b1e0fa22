/**
 * Checks applied to every decoded frame, shared by all codecs: the value must
 * be a WAMP message (an array led by an integer type code) made of plain data
 * (no non-finite numbers, no huge integers, no exotic objects, bounded depth).
 */
import { CodecError } from "./codec.ts";
import type { WampMessage } from "../transport.ts";

/** Deepest nesting accepted in a decoded message (the message array is 1). */
export const MAX_DEPTH = 64;

/** Largest integer magnitude accepted from a binary codec: 2^53. */
const INT_LIMIT = 2n ** 53n;

/** Marks a JSON string that carries bytes: `\0` then base64. */
const BINARY_PREFIX = "\0";

/**
 * Checks that `value` is a WAMP message of plain data and returns it. With
 * `jsonBinary`, strings of the form `\0<base64>` are turned into
 * `Uint8Array`s in place (the value is freshly decoded and owned by us).
 * `undefined` (CBOR undefined, msgpackr's extension 0) becomes `null` in a
 * list and an absent key in a dict.
 */
export function checkMessage(
  value: unknown,
  codec: string,
  jsonBinary: boolean,
): WampMessage {
  if (!Array.isArray(value)) {
    throw new CodecError(
      `Cannot accept ${codec} frame: a WAMP message must be an array, got ${
        describe(value)
      }`,
    );
  }
  const type = value[0];
  if (typeof type !== "number" || !Number.isInteger(type)) {
    throw new CodecError(
      `Cannot accept ${codec} frame: the message type must be an integer, got ${
        describe(type)
      }`,
    );
  }
  checkArray(value, 1, codec, jsonBinary);
  return value;
}

function checkArray(
  list: unknown[],
  depth: number,
  codec: string,
  jsonBinary: boolean,
): void {
  if (depth > MAX_DEPTH) throw tooDeep(codec);
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (typeof item === "object" && item !== null) {
      checkObject(item, depth, codec, jsonBinary);
    } else if (item === undefined) {
      list[i] = null; // as JSON would carry it
    } else if (needsFix(item, jsonBinary)) {
      list[i] = fixScalar(item, codec);
    }
  }
}

function checkObject(
  item: object,
  depth: number,
  codec: string,
  jsonBinary: boolean,
): void {
  if (Array.isArray(item)) {
    return checkArray(item, depth + 1, codec, jsonBinary);
  }
  if (item instanceof Uint8Array) return;
  const proto = Object.getPrototypeOf(item);
  if (proto !== Object.prototype && proto !== null) {
    throw new CodecError(
      `Cannot accept ${codec} frame: unsupported value of type ${
        describe(item)
      }`,
    );
  }
  if (depth + 1 > MAX_DEPTH) throw tooDeep(codec);
  const record = item as Record<string, unknown>;
  for (const key in record) {
    const value = record[key];
    if (typeof value === "object" && value !== null) {
      checkObject(value, depth + 1, codec, jsonBinary);
    } else if (value === undefined) {
      delete record[key]; // an undefined option is an absent option
    } else if (needsFix(value, jsonBinary)) {
      record[key] = fixScalar(value, codec);
    }
  }
}

function needsFix(value: unknown, jsonBinary: boolean): boolean {
  switch (typeof value) {
    case "number":
      return !Number.isFinite(value);
    case "bigint":
    case "symbol":
    case "function":
      return true;
    case "string":
      return jsonBinary && value.startsWith(BINARY_PREFIX);
    default:
      return false;
  }
}

function fixScalar(value: unknown, codec: string): unknown {
  if (typeof value === "string") return decodeBinaryString(value);
  if (typeof value === "bigint") {
    // Up to 2^53 (the largest WAMP ID), every integer is exact as a number.
    if (value <= INT_LIMIT && value >= -INT_LIMIT) return Number(value);
    throw new CodecError(
      `Cannot accept ${codec} frame: integer ${value} is out of the safe range`,
    );
  }
  if (typeof value === "number") {
    throw new CodecError(
      `Cannot accept ${codec} frame: number ${value} is not finite`,
    );
  }
  throw new CodecError(
    `Cannot accept ${codec} frame: unsupported value of type ${typeof value}`,
  );
}

function decodeBinaryString(value: string): unknown {
  try {
    return Uint8Array.fromBase64(value.slice(1));
  } catch {
    return value; // not base64 after all: keep the string as sent
  }
}

function tooDeep(codec: string): CodecError {
  return new CodecError(
    `Cannot accept ${codec} frame: values are nested deeper than ${MAX_DEPTH} levels`,
  );
}

/** Names the type of a value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") {
    const name = (value as { constructor?: { name?: unknown } }).constructor
      ?.name;
    return typeof name === "string" && name !== "Object" ? name : "object";
  }
  return typeof value;
}

/** Whether a value holds a `Uint8Array` anywhere (bounded by depth). */
export function hasBinary(value: unknown, depth = 0): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (value instanceof Uint8Array) return true;
  if (depth > MAX_DEPTH + 8) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (hasBinary(value[i], depth + 1)) return true;
    }
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (hasBinary(record[key], depth + 1)) return true;
  }
  return false;
}

/** A copy of `value` with every `Uint8Array` as `\0<base64>` (for JSON). */
export function binaryToJson(value: unknown, depth = 0): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Uint8Array) return BINARY_PREFIX + value.toBase64();
  if (depth > MAX_DEPTH + 8) {
    throw new TypeError(
      `Cannot encode message: values are nested deeper than ${MAX_DEPTH} levels`,
    );
  }
  if (Array.isArray(value)) {
    return value.map((item) => binaryToJson(item, depth + 1));
  }
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key in record) out[key] = binaryToJson(record[key], depth + 1);
  return out;
}
