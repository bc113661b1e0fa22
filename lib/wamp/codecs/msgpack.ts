/**
 * The MessagePack serialization (`wamp.2.msgpack`, `wamp.2.msgpack.batched`),
 * over npm `@msgpack/msgpack`. Bytes travel as msgpack `bin`.
 *
 * @module
 */
import { binaryCodecs, type BinarySerializer } from "./_binary_codec.ts";
import type { Codec } from "./codec.ts";

async function loadMsgpack(): Promise<BinarySerializer> {
  const { Decoder, Encoder, ExtensionCodec } = await import("@msgpack/msgpack");
  // msgpackr (wampy's msgpack library) writes JavaScript `undefined` as the
  // extension type 0 with one zero byte; read it back as "absent".
  const extensionCodec = new ExtensionCodec();
  extensionCodec.register({
    type: 0,
    encode: () => null,
    decode: () => undefined,
  });
  const encoder = new Encoder({ ignoreUndefined: false, maxDepth: 200 });
  const decoder = new Decoder({ extensionCodec });
  return {
    name: "msgpack",
    encode: (value) => encoder.encode(value),
    decode: (bytes) => decoder.decode(bytes),
  };
}

const codecs = binaryCodecs("msgpack", loadMsgpack);

/** `wamp.2.msgpack`: one MessagePack value per binary frame. */
export const MSGPACK_CODEC: Codec = codecs.plain;

/** `wamp.2.msgpack.batched`: length-prefixed MessagePack values. */
export const MSGPACK_BATCHED_CODEC: Codec = codecs.batched;
