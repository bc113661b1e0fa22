/**
 * Builds the unbatched and batched codecs of a binary serialization from its
 * raw encode/decode functions.
 */
import { type Codec, CodecError, type CodecName } from "./codec.ts";
import { frameOne, splitBatch } from "./_batch.ts";
import { checkMessage } from "./_values.ts";
import type { WampMessage } from "../transport.ts";

/** Raw functions of one binary serialization. */
export interface BinarySerializer {
  readonly name: CodecName;
  /** Encodes a value; may throw on unsupported values. */
  encode(value: unknown): Uint8Array;
  /** Decodes exactly one value; throws on malformed or trailing bytes. */
  decode(bytes: Uint8Array): unknown;
}

function notLoaded(name: CodecName): BinarySerializer {
  const refuse = (): never => {
    throw new Error(`The ${name} codec is not loaded: await its load() first`);
  };
  return { name, encode: refuse, decode: refuse };
}

function asBytes(data: string | Uint8Array, name: string): Uint8Array {
  if (typeof data === "string") {
    throw new CodecError(
      `Cannot decode ${name} frame: expected a binary frame, got a text frame`,
    );
  }
  return data;
}

function decodeOne(serializer: BinarySerializer, bytes: Uint8Array) {
  let value: unknown;
  try {
    value = serializer.decode(bytes);
  } catch (error) {
    const detail = error instanceof RangeError &&
        /call stack/i.test(error.message)
      ? "values are nested too deeply"
      : (error as Error).message ?? String(error);
    throw new CodecError(
      `Cannot decode ${serializer.name} frame: ${detail}`,
      { cause: error },
    );
  }
  return checkMessage(value, serializer.name, false);
}

/**
 * The `wamp.2.<name>` and `wamp.2.<name>.batched` codecs. The serializer is
 * loaded by the codecs' `load()`; until then they refuse to work.
 */
export function binaryCodecs(
  name: CodecName,
  loadSerializer: () => Promise<BinarySerializer>,
): { plain: Codec; batched: Codec } {
  let serializer = notLoaded(name);
  let loading: Promise<void> | undefined;
  const load = () =>
    loading ??= loadSerializer().then((loaded) => {
      serializer = loaded;
    });
  const plain: Codec = Object.freeze({
    name,
    load,
    subprotocol: `wamp.2.${name}`,
    binary: true,
    batched: false,
    encode: (message: WampMessage) => serializer.encode(message),
    decode: (data: string | Uint8Array) =>
      decodeOne(serializer, asBytes(data, name)),
    decodeBatch: (data: string | Uint8Array) => [
      decodeOne(serializer, asBytes(data, name)),
    ],
  });
  const decodeBatch = (data: string | Uint8Array) =>
    splitBatch(asBytes(data, name), name).map((part) =>
      decodeOne(serializer, part)
    );
  const batched: Codec = Object.freeze({
    name,
    load,
    subprotocol: `wamp.2.${name}.batched`,
    binary: true,
    batched: true,
    encode: (message: WampMessage) => frameOne(serializer.encode(message)),
    decode: (data: string | Uint8Array) => {
      const messages = decodeBatch(data);
      if (messages.length !== 1) {
        throw new CodecError(
          `Cannot decode ${name} batch as one message: it holds ${messages.length}`,
        );
      }
      return messages[0]!;
    },
    decodeBatch,
  });
  return { plain, batched };
}
