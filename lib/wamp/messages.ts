/**
 * WAMP v2 message type codes and the boundary check that every incoming
 * message passes before a handler reads it.
 *
 * @module
 */
import { ProtocolViolationError } from "./errors.ts";
import type { WampMessage } from "./transport.ts";

/** WAMP message type codes. */
export const MESSAGE_TYPES = {
  HELLO: 1,
  WELCOME: 2,
  ABORT: 3,
  CHALLENGE: 4,
  AUTHENTICATE: 5,
  GOODBYE: 6,
  ERROR: 8,
  PUBLISH: 16,
  PUBLISHED: 17,
  SUBSCRIBE: 32,
  SUBSCRIBED: 33,
  UNSUBSCRIBE: 34,
  UNSUBSCRIBED: 35,
  EVENT: 36,
  CALL: 48,
  CANCEL: 49,
  RESULT: 50,
  REGISTER: 64,
  REGISTERED: 65,
  UNREGISTER: 66,
  UNREGISTERED: 67,
  INVOCATION: 68,
  INTERRUPT: 69,
  YIELD: 70,
} as const;

/** Name of a WAMP message type. */
export type MessageTypeName = keyof typeof MESSAGE_TYPES;

/** A WAMP message type code. */
export type MessageType = typeof MESSAGE_TYPES[MessageTypeName];

/** Largest valid WAMP id (2^53). */
export const MAX_ID = 9007199254740992;

/** A JSON-like dictionary as it appears in WAMP messages. */
export type Dict = Record<string, unknown>;

/** `Arguments`: a list, or one binary value in payload passthrough mode. */
export type Payload = unknown[] | Uint8Array;

// Messages a router receives, as {@link checkIncoming} guarantees them:
// handlers destructure the named fields instead of casting `message[n]`.

/** `[HELLO, Realm, Details]` */
export type HelloMessage = [type: 1, realm: string, details: Dict];
/** `[AUTHENTICATE, Signature, Extra]` */
export type AuthenticateMessage = [type: 5, signature: string, extra: Dict];
/** `[ABORT, Details, Reason]` */
export type AbortMessage = [type: 3, details: Dict, reason: string];
/** `[GOODBYE, Details, Reason]` */
export type GoodbyeMessage = [type: 6, details: Dict, reason: string];
/** `[ERROR, RequestType, Request, Details, Error, Arguments?, ArgumentsKw?]` */
export type ErrorMessage = [
  type: 8,
  requestType: number,
  request: number,
  details: Dict,
  error: string,
  args?: Payload,
  kwargs?: Dict,
];
/** `[PUBLISH, Request, Options, Topic, Arguments?, ArgumentsKw?]` */
export type PublishMessage = [
  type: 16,
  request: number,
  options: Dict,
  topic: string,
  args?: Payload,
  kwargs?: Dict,
];
/** `[SUBSCRIBE, Request, Options, Topic]` */
export type SubscribeMessage = [
  type: 32,
  request: number,
  options: Dict,
  topic: string,
];
/** `[UNSUBSCRIBE, Request, Subscription]` */
export type UnsubscribeMessage = [
  type: 34,
  request: number,
  subscription: number,
];
/** `[CALL, Request, Options, Procedure, Arguments?, ArgumentsKw?]` */
export type CallMessage = [
  type: 48,
  request: number,
  options: Dict,
  procedure: string,
  args?: Payload,
  kwargs?: Dict,
];
/** `[CANCEL, Request, Options]` */
export type CancelMessage = [type: 49, request: number, options: Dict];
/** `[REGISTER, Request, Options, Procedure]` */
export type RegisterMessage = [
  type: 64,
  request: number,
  options: Dict,
  procedure: string,
];
/** `[UNREGISTER, Request, Registration]` */
export type UnregisterMessage = [
  type: 66,
  request: number,
  registration: number,
];
/** `[YIELD, Invocation, Options, Arguments?, ArgumentsKw?]` */
export type YieldMessage = [
  type: 70,
  request: number,
  options: Dict,
  args?: Payload,
  kwargs?: Dict,
];

/** Any message a router accepts, discriminated by its type code. */
export type IncomingMessage =
  | HelloMessage
  | AuthenticateMessage
  | AbortMessage
  | GoodbyeMessage
  | ErrorMessage
  | PublishMessage
  | SubscribeMessage
  | UnsubscribeMessage
  | CallMessage
  | CancelMessage
  | RegisterMessage
  | UnregisterMessage
  | YieldMessage;

/** Kinds of fields the boundary check knows. */
type FieldKind = "id" | "dict" | "list" | "args" | "string" | "code";

interface Shape {
  readonly name: string;
  readonly fields: readonly FieldKind[];
  /** How many fields are required; the rest are optional. */
  readonly required: number;
}

/**
 * `Arguments` and `ArgumentsKw`. In payload passthrough mode (end-to-end
 * encryption), `Arguments` is one binary value instead of a list.
 */
const PAYLOAD: readonly FieldKind[] = ["args", "dict"];

/**
 * Options of payload passthrough mode (and of the older end-to-end
 * encryption draft) that the router forwards, untouched, from PUBLISH to
 * EVENT, CALL to INVOCATION, YIELD to RESULT and ERROR to ERROR.
 */
export const PASSTHROUGH_KEYS: readonly string[] = Object.freeze([
  "ppt_scheme",
  "ppt_serializer",
  "ppt_cipher",
  "ppt_keyid",
  "enc_algo",
  "enc_key",
  "enc_serializer",
]);

/**
 * The passthrough options of `options` (see {@link PASSTHROUGH_KEYS}), or
 * `undefined` when it has none.
 */
export function passthroughOptions(options: Dict): Dict | undefined {
  let found: Dict | undefined;
  for (const key of PASSTHROUGH_KEYS) {
    const value = options[key];
    if (value !== undefined) (found ??= {})[key] = value;
  }
  return found;
}

/** Whether a message's options (its first dictionary) ask for passthrough. */
function isPassthrough(message: unknown[]): boolean {
  const options = message.find(isDict);
  return options !== undefined &&
    (options.ppt_scheme !== undefined || options.enc_algo !== undefined);
}

/** Shapes of messages a router may receive (fields after the type code). */
const INCOMING_SHAPES: ReadonlyMap<number, Shape> = new Map<number, Shape>([
  [1, { name: "HELLO", fields: ["string", "dict"], required: 2 }],
  [5, { name: "AUTHENTICATE", fields: ["string", "dict"], required: 2 }],
  [3, { name: "ABORT", fields: ["dict", "string"], required: 2 }],
  [6, { name: "GOODBYE", fields: ["dict", "string"], required: 2 }],
  [8, {
    name: "ERROR",
    fields: ["code", "id", "dict", "string", ...PAYLOAD],
    required: 4,
  }],
  [16, {
    name: "PUBLISH",
    fields: ["id", "dict", "string", ...PAYLOAD],
    required: 3,
  }],
  [32, { name: "SUBSCRIBE", fields: ["id", "dict", "string"], required: 3 }],
  [34, { name: "UNSUBSCRIBE", fields: ["id", "id"], required: 2 }],
  [48, {
    name: "CALL",
    fields: ["id", "dict", "string", ...PAYLOAD],
    required: 3,
  }],
  [49, { name: "CANCEL", fields: ["id", "dict"], required: 2 }],
  [64, { name: "REGISTER", fields: ["id", "dict", "string"], required: 3 }],
  [66, { name: "UNREGISTER", fields: ["id", "id"], required: 2 }],
  [70, { name: "YIELD", fields: ["id", "dict", ...PAYLOAD], required: 2 }],
]);

/** Name of a message type code, for log lines and reasons. */
export function messageName(code: unknown): string {
  for (const [name, value] of Object.entries(MESSAGE_TYPES)) {
    if (value === code) return name;
  }
  return String(code);
}

/** Whether `value` is a valid WAMP id: an integer in 1..2^53. */
export function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 &&
    value <= MAX_ID;
}

/** Whether `value` is a plain dictionary (not an array, not null). */
export function isDict(value: unknown): value is Dict {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !ArrayBuffer.isView(value);
}

function checkField(
  kind: FieldKind,
  value: unknown,
  message: unknown[],
): boolean {
  switch (kind) {
    case "args":
      return Array.isArray(value) ||
        (value instanceof Uint8Array && isPassthrough(message));
    case "id":
      return isId(value);
    case "dict":
      return isDict(value);
    case "list":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "code":
      return typeof value === "number" && Number.isInteger(value) &&
        value > 0 && value < 256;
  }
}

const FIELD_NOUN: Record<FieldKind, string> = {
  id: "an integer id in 1..2^53",
  dict: "a dictionary",
  list: "a list",
  args: "a list", // or binary, in payload passthrough mode
  string: "a string",
  code: "a message type code",
};

/**
 * Checks the shape of a message a router received: it must be an array
 * whose first element is a known client-to-router type code, with the right
 * number and kinds of fields. Does not look inside dictionaries and does not
 * check URI syntax (that depends on the realm).
 *
 * @param message The decoded message.
 * @returns The same array, typed by its type code.
 * @throws {ProtocolViolationError} When the message is malformed.
 */
export function checkIncoming(message: unknown): IncomingMessage {
  if (!Array.isArray(message) || message.length === 0) {
    throw new ProtocolViolationError("Message is not a non-empty list");
  }
  const code = message[0];
  const shape = typeof code === "number"
    ? INCOMING_SHAPES.get(code)
    : undefined;
  if (shape === undefined) {
    throw new ProtocolViolationError(
      `Message type ${JSON.stringify(code)} is not one a router accepts`,
    );
  }
  const count = message.length - 1;
  if (count < shape.required || count > shape.fields.length) {
    throw new ProtocolViolationError(
      `Invalid ${shape.name} message: expected ${shape.required}` +
        (shape.required === shape.fields.length
          ? ""
          : `..${shape.fields.length}`) +
        ` fields, got ${count}`,
    );
  }
  for (let i = 0; i < count; i++) {
    const kind = shape.fields[i]!;
    if (!checkField(kind, message[i + 1], message)) {
      throw new ProtocolViolationError(
        `Invalid ${shape.name} message: field ${i + 1} must be ${
          FIELD_NOUN[kind]
        }`,
      );
    }
  }
  return message as IncomingMessage;
}

/**
 * An ERROR message answering request `requestId` of type `requestType`.
 *
 * @param requestType The type code of the failed request.
 * @param requestId Its request id.
 * @param error The URI and payload.
 * @returns `[ERROR, requestType, requestId, {}, uri, args?, kwargs?]`.
 */
export function errorMessage(
  requestType: number,
  requestId: number,
  error: { uri: string; args?: unknown[]; kwargs?: Dict },
): WampMessage {
  return withPayload(
    [MESSAGE_TYPES.ERROR, requestType, requestId, {}, error.uri],
    error.args,
    error.kwargs,
  );
}

/**
 * Appends `args`/`kwargs` to an outgoing message the way WAMP wants: omitted
 * when empty, `args` sent as `[]` when only `kwargs` is present.
 *
 * @param message The message head (modified and returned).
 * @param args Positional payload, if any.
 * @param kwargs Keyword payload, if any.
 * @returns The same message.
 */
export function withPayload(
  message: WampMessage,
  args: unknown[] | undefined,
  kwargs: Dict | undefined,
): WampMessage {
  if (kwargs !== undefined && hasKeys(kwargs)) {
    message.push(args ?? [], kwargs);
  } else if (args !== undefined && args.length > 0) {
    message.push(args);
  }
  return message;
}

function hasKeys(dict: Dict): boolean {
  for (const _ in dict) return true;
  return false;
}

/**
 * Copies the payload fields of an incoming message (from index `from`) onto
 * an outgoing one unchanged, so the router stays payload-transparent.
 *
 * @param target The outgoing message (modified and returned).
 * @param source The incoming message (read only).
 * @param from Index of the `Arguments` field in `source`.
 * @returns `target`.
 */
export function copyPayload(
  target: WampMessage,
  source: WampMessage,
  from: number,
): WampMessage {
  if (source.length > from) {
    target.push(source[from]);
    if (source.length > from + 1) target.push(source[from + 1]);
  }
  return target;
}
