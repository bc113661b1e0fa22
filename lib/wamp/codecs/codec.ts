/**
 * The {@link Codec} seam: turns WAMP messages into WebSocket frames and back.
 *
 * @module
 */
import type { WampMessage } from "../transport.ts";

/** Serializer names this node speaks. */
export type CodecName = "json" | "msgpack" | "cbor";

/** One WAMP serialization as negotiated by a WebSocket subprotocol. */
export interface Codec {
  /** Serializer name as Crossbar's `serializers` list spells it. */
  readonly name: CodecName;
  /** WebSocket subprotocol, e.g. `"wamp.2.json"` or `"wamp.2.cbor.batched"`. */
  readonly subprotocol: string;
  /** Whether frames are binary (msgpack, cbor) rather than text (json). */
  readonly binary: boolean;
  /** Whether one frame may carry several messages. */
  readonly batched: boolean;
  /**
   * Loads the serialization library on first use (MessagePack and CBOR are
   * loaded only when a client asks for them, to keep start-up fast).
   * `encode` and `decode` need it settled; resolves at once for JSON.
   */
  load(): Promise<void>;
  /**
   * Encodes one message as one frame (a batched codec frames it as a batch of
   * one). Throws a `TypeError` for values the serialization cannot carry.
   */
  encode(message: WampMessage): string | Uint8Array;
  /**
   * Decodes a frame holding exactly one message.
   *
   * @throws {CodecError} When the frame is not a valid WAMP message.
   */
  decode(data: string | Uint8Array): WampMessage;
  /**
   * Decodes a frame into its messages (one for an unbatched codec).
   *
   * @throws {CodecError} When the frame or one of its messages is invalid.
   */
  decodeBatch(data: string | Uint8Array): WampMessage[];
  /**
   * Optional: the codec to use on this connection from now on, given the
   * first frame the peer sent (a transport calls it once, before decoding
   * that frame). `wamp.2.json.batched` uses it to answer in the separator
   * the peer uses (see `json.ts`).
   */
  adapt?(firstFrame: string | Uint8Array): Codec;
}

/**
 * A frame could not be decoded into a WAMP message. The transport reports it
 * as a protocol violation.
 */
export class CodecError extends Error {
  /**
   * Creates the error.
   *
   * @param message What was wrong with the frame.
   * @param options The underlying parser error, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CodecError";
  }
}
