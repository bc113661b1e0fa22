/**
 * Request signing of the HTTP bridge, as Crossbar defines it:
 * `signature = base64url(HMAC-SHA256(secret, key ‖ timestamp ‖ seq ‖ nonce ‖ body))`
 * with the five values in the query string, plus GitHub's webhook
 * signatures. Comparisons are constant-time.
 *
 * @module
 */

const encoder = new TextEncoder();

/** The signed query parameters of one request. */
export interface SignatureParams {
  /** The key name. */
  readonly key: string;
  /** UTC ISO-8601 with fraction and `Z`, e.g. `2011-10-14T16:59:51.123Z`. */
  readonly timestamp: string;
  /** Sequence number (an integer, as text). */
  readonly seq: string;
  /** Nonce (an integer, as text). */
  readonly nonce: string;
}

const TIMESTAMP_REGEXP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{1,6})Z$/;
const INTEGER_REGEXP = /^[+-]?\d{1,30}$/;

/**
 * Parses a bridge timestamp (`YYYY-MM-DDTHH:MM:SS.fffZ`, 1 to 6 fraction
 * digits, UTC).
 *
 * @param text The timestamp.
 * @returns Milliseconds since the epoch, or `undefined` when invalid.
 */
export function parseTimestamp(text: string): number | undefined {
  const m = TIMESTAMP_REGEXP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = Number(((m[7] ?? "") + "00").slice(0, 3));
  const time = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!, ms);
  const check = new Date(time);
  if (
    Number.isNaN(time) || check.getUTCDate() !== day ||
    check.getUTCMonth() !== month! - 1 || hour! > 23 || minute! > 59 ||
    second! > 59
  ) return undefined;
  return time;
}

/**
 * Formats a time the way bridge clients send it.
 *
 * @param time Milliseconds since the epoch. @default {Date.now()}
 * @returns E.g. `2011-10-14T16:59:51.123Z`.
 */
export function formatTimestamp(time: number = Date.now()): string {
  return new Date(time).toISOString();
}

/**
 * Tells whether `text` is an integer as Crossbar accepts it (optional sign).
 *
 * @param text The value.
 * @returns Whether it is an integer.
 */
export function isIntegerText(text: string): boolean {
  return INTEGER_REGEXP.test(text);
}

/**
 * Computes the signature of a bridge request.
 *
 * @param secret The shared secret.
 * @param params The query parameters that are signed.
 * @param body The raw request body.
 * @returns The padded base64url HMAC-SHA256.
 */
export async function signRequest(
  secret: string,
  params: SignatureParams,
  body: Uint8Array,
): Promise<string> {
  const head = encoder.encode(
    params.key + params.timestamp + params.seq + params.nonce,
  );
  const data = new Uint8Array(head.length + body.length);
  data.set(head);
  data.set(body, head.length);
  const mac = await hmac("SHA-256", encoder.encode(secret), data);
  return toBase64Url(mac);
}

/**
 * Checks a bridge signature in constant time. Padded and unpadded base64url
 * are both accepted.
 *
 * @param secret The shared secret.
 * @param params The signed query parameters.
 * @param body The raw request body.
 * @param signature The `signature` query parameter.
 * @returns Whether it matches.
 */
export async function verifyRequestSignature(
  secret: string,
  params: SignatureParams,
  body: Uint8Array,
  signature: string,
): Promise<boolean> {
  const expected = await signRequest(secret, params, body);
  return timingSafeEqual(
    expected.replace(/=+$/, ""),
    signature.replace(/=+$/, ""),
  );
}

/**
 * Checks GitHub's webhook signature: `X-Hub-Signature-256` (`sha256=<hex>`)
 * when present, else `X-Hub-Signature` (`sha1=<hex>`).
 *
 * @param secret The webhook secret.
 * @param headers The request headers.
 * @param body The raw request body.
 * @returns Whether a header is present and matches.
 */
export async function verifyGithubSignature(
  secret: string,
  headers: Headers,
  body: Uint8Array,
): Promise<boolean> {
  const sha256 = headers.get("x-hub-signature-256");
  const sha1 = headers.get("x-hub-signature");
  const [algorithm, prefix, given] = sha256 !== null
    ? ["SHA-256", "sha256=", sha256] as const
    : sha1 !== null
    ? ["SHA-1", "sha1=", sha1] as const
    : [undefined, "", ""] as const;
  if (algorithm === undefined) return false;
  const mac = await hmac(algorithm, encoder.encode(secret), body);
  return timingSafeEqual(prefix + toHex(mac), given.trim().toLowerCase());
}

/**
 * Compares two strings in time that depends only on their lengths.
 *
 * @param a One string.
 * @param b The other.
 * @returns Whether they are equal.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const length = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

async function hmac(
  hash: "SHA-256" | "SHA-1",
  secret: Uint8Array,
  data: Uint8Array,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    secret as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    data as Uint8Array<ArrayBuffer>,
  );
  return new Uint8Array(mac);
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_");
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
