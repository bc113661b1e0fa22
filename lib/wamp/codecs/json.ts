/**
 * The JSON serialization (`wamp.2.json`, `wamp.2.json.batched`). Bytes
 * travel as strings: `\0` followed by the base64 of the bytes, in both
 * directions and at any depth, as the WAMP spec prescribes.
 *
 * @module
 */
import { type Codec, CodecError } from "./codec.ts";
import { binaryToJson, checkMessage, hasBinary } from "./_values.ts";
import type { WampMessage } from "../transport.ts";

/**
 * Separator that follows every message in a batched JSON frame: ASCII 30
 * (record separator, `\x1e`) as the WAMP spec says. autobahn-python, and so
 * Crossbar, write octal `\30` (`\x18`) instead; both are read, and a peer
 * whose first frame uses `\x18` is answered with `\x18`. Neither can occur
 * in JSON text, where control characters are always escaped.
 */
const BATCH_SEPARATOR = "\x1e";
const AUTOBAHN_SEPARATOR = "\x18";
// deno-lint-ignore no-control-regex -- the separators are control characters
const SEPARATORS_REGEXP = /[\x18\x1e]/;

function encodeJson(message: WampMessage): string {
  return JSON.stringify(hasBinary(message) ? binaryToJson(message) : message);
}

function parseJson(text: string): WampMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CodecError(
      `Cannot decode json frame: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return checkMessage(value, "json", true);
}

function asText(data: string | Uint8Array): string {
  if (typeof data !== "string") {
    throw new CodecError(
      "Cannot decode json frame: expected a text frame, got a binary frame",
    );
  }
  return data;
}

/** `wamp.2.json`: one JSON text per text frame. */
export const JSON_CODEC: Codec = Object.freeze({
  load: () => Promise.resolve(),
  name: "json",
  subprotocol: "wamp.2.json",
  binary: false,
  batched: false,
  encode: encodeJson,
  decode: (data: string | Uint8Array) => parseJson(asText(data)),
  decodeBatch: (data: string | Uint8Array) => [parseJson(asText(data))],
});

function decodeJsonBatch(data: string | Uint8Array): WampMessage[] {
  const parts = asText(data).split(SEPARATORS_REGEXP);
  const messages: WampMessage[] = [];
  for (const part of parts) {
    if (part.length > 0) messages.push(parseJson(part));
  }
  if (messages.length === 0) {
    throw new CodecError(
      "Cannot decode json batch: the frame holds no message",
    );
  }
  return messages;
}

function jsonBatchedCodec(separator: string): Codec {
  const codec: Codec = Object.freeze({
    load: () => Promise.resolve(),
    name: "json",
    subprotocol: "wamp.2.json.batched",
    binary: false,
    batched: true,
    encode: (message: WampMessage) => encodeJson(message) + separator,
    decode: (data: string | Uint8Array) => {
      const messages = decodeJsonBatch(data);
      if (messages.length !== 1) {
        throw new CodecError(
          `Cannot decode json batch as one message: it holds ${messages.length}`,
        );
      }
      return messages[0]!;
    },
    decodeBatch: decodeJsonBatch,
    adapt: (first: string | Uint8Array) =>
      typeof first === "string" && first.includes(AUTOBAHN_SEPARATOR) &&
        !first.includes(BATCH_SEPARATOR)
        ? AUTOBAHN_BATCHED
        : codec,
  });
  return codec;
}

const AUTOBAHN_BATCHED = jsonBatchedCodec(AUTOBAHN_SEPARATOR);

/**
 * `wamp.2.json.batched`: JSON texts, each followed by `\x1e` (or by `\x18`
 * to a peer that writes `\x18`, as autobahn-python does).
 */
export const JSON_BATCHED_CODEC: Codec = jsonBatchedCodec(BATCH_SEPARATOR);
