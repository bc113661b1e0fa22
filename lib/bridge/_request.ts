/**
 * Common request handling of the bridge services (Crossbar's
 * `_CommonResource`): methods, CORS and no-cache headers, client address
 * and TLS checks, content type and charset, body limits, signatures, UTF-8
 * and JSON decoding. Every failure is a {@link BridgeHttpError}.
 */
import type { ServeContext } from "../web/path_service.ts";
import { addressInNetworks, type Network } from "../net/cidr.ts";
import { BridgeHttpError } from "./_errors.ts";
import { readLimitedBody } from "./_body.ts";
import { MAX_BODY_DEPTH, nestsDeeperThan } from "./_depth.ts";
import type { NonceCache } from "./nonce_cache.ts";
import {
  isIntegerText,
  parseTimestamp,
  timingSafeEqual,
  verifyGithubSignature,
  verifyRequestSignature,
} from "./signature.ts";

/** The checks one service applies, resolved from its options. */
export interface RequestRules {
  /** Decode the body as a JSON object (publisher, caller) or keep it raw. */
  readonly json: boolean;
  readonly bodyLimit: number;
  readonly requireTls: boolean;
  readonly requireIp?: readonly Network[] | undefined;
  readonly key?: string | undefined;
  readonly secret?: string | undefined;
  /** Seconds; 0 turns the check off. */
  readonly timestampDeltaLimit: number;
  readonly nonces?: NonceCache | undefined;
  readonly githubSecret?: string | undefined;
}

/** A request that passed every check. */
export interface CheckedRequest {
  /** The body as text (UTF-8). */
  readonly text: string;
  /** The decoded JSON object when `rules.json`. */
  readonly object: Record<string, unknown>;
}

const ALLOWED_METHODS = "POST,PUT,OPTIONS";
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The headers Crossbar puts on every bridge answer.
 *
 * @param request The request (for Origin and the requested headers).
 * @returns Fresh headers.
 */
export function bridgeHeaders(request: Request): Headers {
  const origin = request.headers.get("origin");
  const headers = new Headers({
    "access-control-allow-origin": origin === null || origin === "null"
      ? "*"
      : origin,
    "access-control-allow-credentials": "true",
    "cache-control": "no-store,no-cache,must-revalidate,max-age=0",
    "content-type": "application/json; charset=UTF-8",
  });
  const requested = request.headers.get("access-control-request-headers");
  if (requested !== null) {
    headers.set("access-control-allow-headers", requested);
  }
  return headers;
}

/**
 * Answers OPTIONS (200) and refuses methods other than POST and PUT (405).
 *
 * @param request The request.
 * @returns The answer, or `undefined` for POST and PUT.
 */
export function answerMethod(request: Request): Response | undefined {
  if (request.method === "POST" || request.method === "PUT") return undefined;
  const headers = bridgeHeaders(request);
  headers.set("allow", ALLOWED_METHODS);
  if (request.method === "OPTIONS") {
    headers.set("access-control-allow-methods", ALLOWED_METHODS);
    return new Response(null, { status: 200, headers });
  }
  return errorResponse(
    request,
    new BridgeHttpError(
      405,
      `Method ${request.method} is not allowed: use POST or PUT`,
    ),
    headers,
  );
}

/**
 * Crossbar's error answer: `{"error": text, "args": [], "kwargs": {}}`.
 *
 * @param request The request.
 * @param error The failure.
 * @param headers Headers to use. @default {bridgeHeaders(request)}
 * @returns The answer.
 */
export function errorResponse(
  request: Request,
  error: BridgeHttpError,
  headers: Headers = bridgeHeaders(request),
): Response {
  const body = JSON.stringify({ error: error.message, args: [], kwargs: {} });
  return new Response(body, { status: error.status, headers });
}

/**
 * Runs every common check and reads the body.
 *
 * @param request A POST or PUT request.
 * @param context Where it came from.
 * @param rules The service's checks.
 * @returns The decoded body.
 * @throws {BridgeHttpError} When a check fails.
 */
export async function checkRequest(
  request: Request,
  context: ServeContext,
  rules: RequestRules,
): Promise<CheckedRequest> {
  checkClient(context, rules);
  checkContentType(request.headers.get("content-type"), rules.json);
  const body = await readLimitedBody(request, rules.bodyLimit);
  if (rules.githubSecret) {
    const ok = await verifyGithubSignature(
      rules.githubSecret,
      request.headers,
      body,
    );
    if (!ok) {
      throw new BridgeHttpError(400, "GitHub signature missing or invalid");
    }
  }
  await checkSignature(new URLSearchParams(context.search), body, rules);
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw new BridgeHttpError(400, "Request body is not valid UTF-8");
  }
  if (!rules.json) return { text, object: {} };
  return { text, object: parseObject(text) };
}

function checkClient(context: ServeContext, rules: RequestRules): void {
  if (rules.requireIp !== undefined) {
    const addr = context.remoteAddr;
    const ok = "hostname" in addr &&
      addressInNetworks(addr.hostname, rules.requireIp);
    if (!ok) {
      throw new BridgeHttpError(400, "Request denied based on IP address");
    }
  }
  if (rules.requireTls && !context.secure) {
    throw new BridgeHttpError(400, "Request denied: TLS is required");
  }
}

function checkContentType(value: string | null, json: boolean): void {
  if (value === null) return;
  const parts = value.split(";").map((part) => part.trim().toLowerCase());
  if (json && parts[0] !== "application/json") {
    throw new BridgeHttpError(
      400,
      `Content type "${parts[0]}" is not accepted: use "application/json"`,
    );
  }
  const params = new Map<string, string>();
  for (const part of parts.slice(1)) {
    if (!part.includes("=")) continue;
    const [name = "", val = "", ...more] = part.split("=");
    if (more.length > 0 || params.has(name.trim())) {
      throw new BridgeHttpError(400, `Invalid content type "${value}"`);
    }
    params.set(name.trim(), val.trim().replace(/^"(.*)"$/, "$1"));
  }
  const charset = params.get("charset") ?? "utf-8";
  if (charset !== "utf-8" && charset !== "utf8") {
    throw new BridgeHttpError(
      400,
      `Charset "${charset}" is not accepted: use "utf-8"`,
    );
  }
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BridgeHttpError(400, "Request body is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BridgeHttpError(400, "Request body must be a JSON object");
  }
  if (nestsDeeperThan(value, MAX_BODY_DEPTH)) {
    throw new BridgeHttpError(
      400,
      `Request body nests deeper than ${MAX_BODY_DEPTH} levels`,
    );
  }
  return value as Record<string, unknown>;
}

const SIGNED_FIELDS = ["key", "timestamp", "seq", "nonce", "signature"];

async function checkSignature(
  query: URLSearchParams,
  body: Uint8Array,
  rules: RequestRules,
): Promise<void> {
  const secret = rules.secret;
  if (secret) {
    for (const field of SIGNED_FIELDS) {
      if (!query.has(field)) {
        throw new BridgeHttpError(
          400,
          `Signed request required: the query parameter "${field}" is missing`,
        );
      }
    }
  }
  checkSignedFields(query, rules.timestampDeltaLimit);
  if (!secret) return;
  const params = {
    key: query.get("key") ?? "",
    timestamp: query.get("timestamp") ?? "",
    seq: query.get("seq") ?? "",
    nonce: query.get("nonce") ?? "",
  };
  if (!timingSafeEqual(params.key, rules.key ?? "")) {
    throw new BridgeHttpError(401, `Unknown key "${params.key}"`);
  }
  const signature = query.get("signature") ?? "";
  if (!await verifyRequestSignature(secret, params, body, signature)) {
    throw new BridgeHttpError(401, "Invalid request signature");
  }
  if (
    rules.nonces !== undefined && !rules.nonces.add(params.key, params.nonce)
  ) {
    throw new BridgeHttpError(
      401,
      `Replayed request: nonce "${params.nonce}" was already used with this key`,
    );
  }
}

function checkSignedFields(query: URLSearchParams, deltaLimit: number): void {
  const timestamp = query.get("timestamp");
  if (timestamp !== null) {
    const time = parseTimestamp(timestamp);
    if (time === undefined) {
      throw new BridgeHttpError(
        400,
        `Invalid timestamp "${timestamp}": use UTC ISO-8601 such as "2011-10-14T16:59:51.123Z"`,
      );
    }
    if (deltaLimit > 0 && Math.abs(Date.now() - time) > deltaLimit * 1000) {
      throw new BridgeHttpError(
        400,
        `Request expired: the timestamp is more than ${deltaLimit} s off`,
      );
    }
  }
  for (const field of ["seq", "nonce"]) {
    const value = query.get(field);
    if (value !== null && !isIntegerText(value)) {
      throw new BridgeHttpError(
        400,
        `Invalid ${field} "${value}": it must be an integer`,
      );
    }
  }
}
