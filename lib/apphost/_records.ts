/**
 * Each ring record's encoder next to its decoder (layouts in
 * `_protocol.ts`), so that both ends of the host ⇄ worker protocol share
 * one definition. The host encodes requests and cancels and decodes
 * responses and failures; the worker does the opposite.
 *
 * @module
 */
import {
  type ErrorData,
  FLAG_INLINE,
  KIND,
  type RecordDecoder,
  type RecordEncoder,
} from "./_protocol.ts";

/** Most characters of a stack trace sent in a FAILURE record. */
const STACK_MAX = 16384;

/** What a REQUEST record carries. */
export interface RequestRecord {
  id: number;
  /** {@link FLAG_INLINE} (body inside), `FLAG_STREAM` (body follows) or 0. */
  flags: number;
  method: string;
  url: string;
  remoteAddr: Deno.NetAddr | Deno.UnixAddr;
  headers: [string, string][];
  body: Uint8Array<ArrayBuffer> | undefined;
}

/**
 * Encodes a REQUEST record.
 *
 * @param eachHeader Calls `write` for every header to send (no copy of
 *   the request's headers is made).
 * @returns The record (a view, valid until the encoder's next `begin`).
 */
export function encodeRequest(
  e: RecordEncoder,
  r: Omit<RequestRecord, "headers" | "body">,
  eachHeader: (write: (name: string, value: string) => void) => void,
  body: Uint8Array | undefined,
): Uint8Array {
  e.begin(KIND.REQUEST, r.id).u8(r.flags).str(r.method).str(r.url);
  const addr = r.remoteAddr;
  if ("hostname" in addr) {
    e.str(addr.transport).str(addr.hostname).u32(addr.port);
  } else e.str("unix").str(addr.path).u32(0);
  const countAt = e.mark();
  e.u32(0);
  let count = 0;
  eachHeader((name, value) => {
    e.str(name).str(value);
    count++;
  });
  e.patchU32(countAt, count);
  if ((r.flags & FLAG_INLINE) !== 0) e.bytes(body ?? new Uint8Array(0));
  return e.finish();
}

/** Decodes the rest of a REQUEST record (after its kind and `id`). */
export function decodeRequest(d: RecordDecoder, id: number): RequestRecord {
  const flags = d.u8();
  const method = d.str();
  const url = d.str();
  const transport = d.str();
  const host = d.str();
  const port = d.u32();
  const headers = d.pairs();
  const body = (flags & FLAG_INLINE) !== 0 ? d.bytes() : undefined;
  const remoteAddr = transport === "unix"
    ? { transport: "unix" as const, path: host }
    : { transport: transport as "tcp" | "udp", hostname: host, port };
  return { id, flags, method, url, remoteAddr, headers, body };
}

/** What a RESPONSE record carries. */
export interface ResponseRecord {
  flags: number;
  status: number;
  headers: [string, string][];
  /** The inline body: a string when it is valid UTF-8 and `text` was asked. */
  body: string | Uint8Array<ArrayBuffer> | undefined;
}

/**
 * Encodes a RESPONSE record.
 *
 * @param headers Flat `name, value, name, value …` list.
 */
export function encodeResponse(
  e: RecordEncoder,
  id: number,
  status: number,
  flags: number,
  headers: string[],
  body: Uint8Array | undefined,
): Uint8Array {
  e.begin(KIND.RESPONSE, id).u8(flags).u16(status).u32(headers.length / 2);
  for (const h of headers) e.str(h);
  if (body !== undefined) e.bytes(body);
  return e.finish();
}

/**
 * Decodes the rest of a RESPONSE record (after its kind and `id`).
 *
 * @param text Decode an inline body as text when it can be (see
 *   `RecordDecoder.textOrBytes`), given the headers.
 */
export function decodeResponse(
  d: RecordDecoder,
  text: (headers: [string, string][]) => boolean,
): ResponseRecord {
  const flags = d.u8();
  const status = d.u16();
  const headers = d.pairs();
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if ((flags & FLAG_INLINE) !== 0) {
    body = text(headers) ? d.textOrBytes() : d.bytes();
  }
  return { flags, status, headers, body };
}

/** Encodes a FAILURE record (the app threw before answering). */
export function encodeFailure(
  e: RecordEncoder,
  id: number,
  error: ErrorData,
): Uint8Array {
  return e.begin(KIND.FAILURE, id).str(error.name).str(error.message)
    .str(error.stack.slice(0, STACK_MAX)).finish();
}

/** Decodes the rest of a FAILURE record (after its kind and `id`). */
export function decodeFailure(d: RecordDecoder): ErrorData {
  return { name: d.str(), message: d.str(), stack: d.str() };
}

/** Encodes a CANCEL record (the client went away); it carries only `id`. */
export function encodeCancel(e: RecordEncoder, id: number): Uint8Array {
  return e.begin(KIND.CANCEL, id).finish();
}
