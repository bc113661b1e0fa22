/**
 * The seam between a WAMP connection (WebSocket, in-process channel, …) and
 * the router. The wire side decodes frames into {@link WampMessage}s and feeds
 * them to the {@link TransportHandler} the router returned from `attach()`;
 * the router answers through {@link Transport.send}.
 *
 * @module
 */

/** A decoded WAMP message: an array whose first element is the type code. */
export type WampMessage = unknown[];

/**
 * The warning a transport logs when it drops an outgoing message (it could
 * not be encoded, or it exceeds what the peer accepts).
 *
 * @param message The message dropped.
 * @param peer Who it was for (`TransportInfo.peer`), if known.
 * @param reason Why: an error or a sentence.
 * @returns The log line.
 */
export function droppedMessageText(
  message: WampMessage,
  peer: string | undefined,
  reason: unknown,
): string {
  const why = typeof reason === "string"
    ? reason
    : (reason as Error)?.message ?? String(reason);
  return `Dropped outgoing WAMP message of type ${message[0]}${
    peer === undefined ? "" : ` to ${peer}`
  }: ${why}`;
}

/** Facts about a connection, for session details and the meta API. */
export interface TransportInfo {
  /** Kind of transport: `"websocket"`, `"internal"`, … */
  readonly type: string;
  /** Peer address in Crossbar's form, e.g. `"tcp4:127.0.0.1:54321"`. */
  readonly peer: string;
  /** Negotiated serializer: `"json"`, `"msgpack"`, `"cbor"`, `"internal"`. */
  readonly serializer: string;
  /** Whether the connection is encrypted (TLS). */
  readonly secure: boolean;
  /** Headers of the HTTP upgrade request (lower-case names), if any. */
  readonly httpHeaders?: Readonly<Record<string, string>>;
  /** Negotiated WAMP subprotocol, e.g. `"wamp.2.json"`, if any. */
  readonly protocol?: string;
}

/** Request headers left out of {@link transportDetails}: credentials. */
const PRIVATE_HEADERS: ReadonlySet<string> = new Set([
  "authorization",
  "cookie",
  "proxy-authorization",
]);

/**
 * The `transport` entry of session details (meta API, dynamic authenticators
 * and authorizers), with Crossbar's keys (`type`, `protocol`, `peer`,
 * `http_headers_received`, `http_headers_sent`, `websocket_extensions_in_use`,
 * `cbtid`, `client_cert`) plus `serializer` and `secure`. Unlike Crossbar,
 * the `authorization` and `cookie` request headers are left out: every
 * subscriber of `wamp.session.on_join` would see them.
 *
 * @param info The connection facts.
 * @returns A fresh plain-data dictionary.
 */
export function transportDetails(info: TransportInfo): Record<string, unknown> {
  const details: Record<string, unknown> = {
    type: info.type,
    ...(info.protocol === undefined ? {} : { protocol: info.protocol }),
    peer: info.peer,
    serializer: info.serializer,
    secure: info.secure,
  };
  if (info.httpHeaders !== undefined) {
    const received: Record<string, string> = {};
    for (const [name, value] of Object.entries(info.httpHeaders)) {
      if (!PRIVATE_HEADERS.has(name)) received[name] = value;
    }
    details.http_headers_received = received;
    details.http_headers_sent = {};
    details.websocket_extensions_in_use = [];
    details.cbtid = null;
    details.client_cert = null;
  }
  return details;
}

/** The router's handle on one connection. */
export interface Transport {
  /** What the router may tell about the connection. */
  readonly info: TransportInfo;
  /**
   * Sends one message to the peer. Never throws: a message for a connection
   * that is closing or closed is dropped.
   *
   * Contract: the router never mutates an array after passing it here, and
   * for one publication it sends the same EVENT array object to every
   * subscriber of a subscription, so an implementation may cache the
   * encoded frame per array identity (e.g. a `WeakMap` per codec).
   */
  send(message: WampMessage): void;
  /** Closes the connection (idempotent). */
  close(code?: number, reason?: string): void;
}

/** The router's side of one attached connection. */
export interface TransportHandler {
  /** One decoded message from the peer; the router validates its shape. */
  onMessage(message: WampMessage): void;
  /**
   * The wire layer could not decode a frame, or it broke a transport limit
   * (size, serializer). The router answers ABORT
   * `wamp.error.protocol_violation` with `reason`, then closes the transport.
   */
  onProtocolError(reason: string): void;
  /** The connection is gone (closed by either side, or dropped). */
  onClose(): void;
}
