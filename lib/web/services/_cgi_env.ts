/**
 * Builds the CGI/1.1 meta-variables (RFC 3875 §4.1) for one request.
 *
 * @module
 */
import type { ServeContext } from "../path_service.ts";

/** What {@link buildCgiEnv} needs besides the request. */
export interface CgiEnvOptions {
  /** URL path of the script: prefix + script segments (decoded). */
  readonly scriptName: string;
  /** Decoded path below the script, `""` when there is none. */
  readonly pathInfo: string;
  /** Real file-system path of the script. */
  readonly scriptFilename: string;
  /** Real file-system path of the CGI folder. */
  readonly documentRoot: string;
  /** `SERVER_SOFTWARE`. */
  readonly serverSoftware: string;
}

const HEADER_NAME_REGEXP = /^[A-Za-z0-9-]+$/;

/**
 * Request headers that never become `HTTP_*` variables: the body headers
 * have their own variables, and `Proxy` would set `HTTP_PROXY`, which many
 * HTTP libraries read as their outgoing proxy ("httpoxy").
 */
const SKIPPED_HEADERS = new Set(["content-type", "content-length", "proxy"]);

/**
 * Returns the complete environment of a CGI process: the meta-variables,
 * one `HTTP_*` per request header, and only `PATH` from the node's own
 * environment.
 */
export function buildCgiEnv(
  request: Request,
  context: ServeContext,
  options: CgiEnvOptions,
): Record<string, string> {
  const { name, port } = serverNameAndPort(
    request.headers.get("host"),
    context.secure,
  );
  const addr = context.remoteAddr;
  const env: Record<string, string> = {
    GATEWAY_INTERFACE: "CGI/1.1",
    SERVER_SOFTWARE: options.serverSoftware,
    SERVER_NAME: name,
    SERVER_PORT: port,
    SERVER_PROTOCOL: "HTTP/1.1",
    REQUEST_METHOD: request.method,
    SCRIPT_NAME: options.scriptName,
    SCRIPT_FILENAME: options.scriptFilename,
    DOCUMENT_ROOT: options.documentRoot,
    PATH_INFO: options.pathInfo,
    QUERY_STRING: context.search.replace(/^\?/, ""),
    REQUEST_URI: `${context.prefix}${context.rest}${context.search}`,
    REMOTE_ADDR: "hostname" in addr ? addr.hostname : "",
    REMOTE_PORT: "port" in addr ? String(addr.port) : "",
    REDIRECT_STATUS: "200",
    PATH: nodePath(),
  };
  const contentType = request.headers.get("content-type");
  if (contentType !== null) env.CONTENT_TYPE = contentType;
  const contentLength = request.headers.get("content-length");
  if (contentLength !== null) env.CONTENT_LENGTH = contentLength;
  if (context.secure) env.HTTPS = "on";
  for (const [header, value] of request.headers) {
    if (SKIPPED_HEADERS.has(header) || !HEADER_NAME_REGEXP.test(header)) {
      continue;
    }
    env[`HTTP_${header.toUpperCase().replaceAll("-", "_")}`] = value;
  }
  return env;
}

function nodePath(): string {
  try {
    return Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
  } catch {
    return "/usr/local/bin:/usr/bin:/bin";
  }
}

/** Splits a `Host` header into `SERVER_NAME` and `SERVER_PORT`. */
export function serverNameAndPort(
  host: string | null,
  secure: boolean,
): { name: string; port: string } {
  const fallback = secure ? "443" : "80";
  if (host === null || host === "") {
    return { name: "localhost", port: fallback };
  }
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (match === null) return { name: "localhost", port: fallback };
  return { name: match[1] ?? "localhost", port: match[2] ?? fallback };
}
