/**
 * Reads a CGI script's response head (RFC 3875 §6) off its stdout and
 * leaves the body as a stream.
 *
 * @module
 */
import { concatBytes } from "../../bytes/concat.ts";

/** A parsed CGI response head plus the rest of stdout. */
export interface CgiHead {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  /** The body: bytes after the blank line, then the rest of stdout. */
  readonly body: ReadableStream<Uint8Array>;
}

/** Why a CGI response head could not be read. */
export class CgiOutputError extends Error {
  /**
   * @param message What was wrong with the script's output.
   * @param options Standard error options.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CgiOutputError";
  }
}

/** Largest accepted response head. */
export const MAX_HEAD_BYTES = 64 * 1024;

const HEADER_LINE_REGEXP = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
const STATUS_REGEXP = /^([1-5]\d\d)(?:[ \t]+(.*))?$/;

/**
 * Reads `stdout` up to the first blank line and parses the head.
 *
 * @throws {CgiOutputError} When the output ends before the blank line, the
 * head is too long, or a line is not a valid header.
 */
export async function readCgiHead(
  stdout: ReadableStream<Uint8Array>,
): Promise<CgiHead> {
  const reader = stdout.getReader();
  let buffer: Uint8Array = new Uint8Array(0);
  let end: { head: number; body: number } | undefined;
  while ((end = findBlankLine(buffer)) === undefined) {
    if (buffer.length > MAX_HEAD_BYTES) {
      await reader.cancel();
      throw new CgiOutputError("response head is too long");
    }
    const { value, done } = await reader.read();
    if (done) {
      throw new CgiOutputError(
        buffer.length === 0 ? "no output" : "output ended inside the head",
      );
    }
    buffer = concatBytes([buffer, value]);
  }
  const text = new TextDecoder("latin1").decode(buffer.subarray(0, end.head));
  let head: Omit<CgiHead, "body">;
  try {
    head = parseHead(text);
  } catch (error) {
    await reader.cancel();
    throw error;
  }
  return { ...head, body: prepend(buffer.slice(end.body), reader) };
}

function parseHead(text: string): Omit<CgiHead, "body"> {
  const headers = new Headers();
  let status: number | undefined;
  let statusText = "";
  for (const line of text.split(/\r?\n/)) {
    const match = HEADER_LINE_REGEXP.exec(line);
    if (match === null) {
      throw new CgiOutputError(`malformed header line ${JSON.stringify(line)}`);
    }
    const [, name = "", value = ""] = match;
    if (name.toLowerCase() === "status") {
      const parsed = STATUS_REGEXP.exec(value);
      if (parsed === null) {
        throw new CgiOutputError(`malformed Status ${JSON.stringify(value)}`);
      }
      status = Number(parsed[1]);
      statusText = parsed[2] ?? "";
      continue;
    }
    try {
      headers.append(name, value);
    } catch (error) {
      throw new CgiOutputError(`invalid header ${JSON.stringify(name)}`, {
        cause: error,
      });
    }
  }
  status ??= headers.has("location") ? 302 : 200;
  if (status < 200) throw new CgiOutputError(`unsupported Status ${status}`);
  return { status, statusText, headers };
}

/** Finds the end of the head: the first empty line (LF or CRLF endings). */
function findBlankLine(
  bytes: Uint8Array,
): { head: number; body: number } | undefined {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) return { head: lineEnd(bytes, i), body: i + 2 };
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) {
      return { head: lineEnd(bytes, i), body: i + 3 };
    }
  }
  return undefined;
}

function lineEnd(bytes: Uint8Array, lf: number): number {
  return lf > 0 && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
}

function prepend(
  first: Uint8Array,
  reader: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  let pending: Uint8Array | undefined = first.length > 0 ? first : undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending !== undefined) {
        controller.enqueue(pending);
        pending = undefined;
        return;
      }
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
