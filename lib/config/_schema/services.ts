/**
 * Web path services (Crossbar §1.3), discriminated on `type`, and the
 * `paths` table that maps keys to them.
 *
 * @module
 */

import * as v from "valibot";
import { parseNetwork } from "../../net/cidr.ts";
import {
  bool,
  byType,
  dict,
  expected,
  id,
  int,
  notArray,
  oneOf,
  seconds,
  str,
  strict,
  text,
  unsupported,
} from "./common.ts";
import { AuthSchema } from "./auth.ts";
import {
  CookieSchema,
  SerializersSchema,
  WebSocketOptionsSchema,
} from "./websocket.ts";
import { TlsSchema } from "./endpoint.ts";
import { WsgiServiceSchema } from "./wsgi.ts";
import { LongPollServiceSchema } from "./longpoll.ts";

/** A path key: `/`, or segments of `[A-Za-z0-9_-]` joined by `/`. */
export const PATH_KEY_REGEXP = /^(\/|[A-Za-z0-9_\-]+(\/[A-Za-z0-9_\-]+)*)$/;

const PathKeySchema = v.pipe(
  v.string(),
  v.check(
    (key) => PATH_KEY_REGEXP.test(key),
    (issue) =>
      `invalid path ${
        JSON.stringify(issue.input)
      } (expected "/" or segments of letters, digits, "_" and "-" joined by "/", with no leading, trailing or double "/")`,
  ),
);

/** The `static` service. */
export const StaticServiceSchema = strict({
  type: v.literal("static"),
  id: v.exactOptional(id()),
  /** Folder to serve, relative to the node directory. */
  directory: str(),
  package: unsupported(
    'static "package"/"resource" is not supported yet (use "directory")',
  ),
  resource: unsupported(
    'static "package"/"resource" is not supported yet (use "directory")',
  ),
  options: v.optional(
    strict({
      /** List folder contents. @default false */
      enable_directory_listing: v.optional(bool(), false),
      /** Extra extension → MIME type mappings (`".ext": "type/sub"`). */
      mime_types: v.optional(dict(str()), () => ({})),
      /** `Cache-Control` max-age in seconds; null sends none. @default 43200 */
      cache_timeout: v.optional(v.nullable(int(0)), 43200),
      /** File served for any missing path (single-page apps). */
      default_file: v.exactOptional(str()),
    }, "an object (static options)"),
    {},
  ),
}, "an object (a static service)");

/** The `redirect` service. */
export const RedirectServiceSchema = strict({
  type: v.literal("redirect"),
  id: v.exactOptional(id()),
  /** Where GET requests are sent (302). */
  url: text(),
}, "an object (a redirect service)");

/** The `json` service. */
export const JsonServiceSchema = strict({
  type: v.literal("json"),
  id: v.exactOptional(id()),
  /** The JSON value served. */
  value: v.unknown(),
  options: v.optional(
    strict({
      /** Indent the output. @default false */
      prettify: v.optional(bool(), false),
      /** Send CORS headers (Crossbar always does). @default true */
      allow_cross_origin: v.optional(bool(), true),
      /** Send no-cache headers. @default false */
      discourage_caching: v.optional(bool(), false),
    }, "an object (json options)"),
    {},
  ),
}, "an object (a json service)");

/** The `nodeinfo` service. */
export const NodeInfoServiceSchema = strict({
  type: v.literal("nodeinfo"),
  id: v.exactOptional(id()),
}, "an object (a nodeinfo service)");

/**
 * The `metrics` service (our extension): Prometheus text at the path,
 * health JSON at `<path>/health` and `<path>/ready`.
 */
export const MetricsServiceSchema = strict({
  type: v.literal("metrics"),
  id: v.exactOptional(id()),
}, "an object (a metrics service)");

/** The `none` service: always 404. */
export const NoneServiceSchema = strict({
  type: v.literal("none"),
  id: v.exactOptional(id()),
}, "an object (a none service)");

/** The `reverseproxy` service. */
export const ReverseProxyServiceSchema = strict({
  type: v.literal("reverseproxy"),
  id: v.exactOptional(id()),
  /** Backend host. */
  host: text(),
  /** Backend port. @default 80 */
  port: v.optional(int(1, 65535), 80),
  /** Backend base path. @default "" */
  path: v.optional(str(), ""),
  /** `X-Forwarded-Port`; absent: the port the request came in on. */
  forwarded_port: v.exactOptional(int(1, 65535)),
  /** `X-Forwarded-Proto`. @default "http" */
  forwarded_proto: v.optional(oneOf(["http", "https"]), "http"),
  /** Seconds to wait for the backend (our extension). Absent: no limit. */
  timeout: v.exactOptional(seconds()),
}, "an object (a reverseproxy service)");

/**
 * The attributes of a WAMP WebSocket endpoint, shared by the `websocket`
 * path service and the standalone `websocket` transport.
 */
export const WEBSOCKET_ENTRIES = {
  type: v.literal("websocket"),
  id: v.exactOptional(id()),
  /** Public `ws(s)://` URL, shown on the status page. */
  url: v.exactOptional(str()),
  serializers: SerializersSchema,
  cookie: v.exactOptional(CookieSchema),
  /** Authentication methods; absent: anonymous with role "anonymous". */
  auth: v.exactOptional(AuthSchema),
  options: v.optional(WebSocketOptionsSchema, {}),
  debug: v.optional(bool(), false),
};

/** The `websocket` path service: a WAMP endpoint. */
export const WebSocketServiceSchema = strict(
  WEBSOCKET_ENTRIES,
  "an object (a websocket service)",
);

const BackendSchema = strict({
  type: v.literal("websocket"),
  endpoint: strict({
    type: v.literal("tcp"),
    host: text(),
    port: int(1, 65535),
    version: v.optional(oneOf([4, 6]), 4),
    tls: v.exactOptional(
      v.union([bool(), TlsSchema], expected("true, false or TLS settings")),
    ),
    /** Seconds to wait for the backend's handshake. @default 10 */
    timeout: v.optional(seconds(), 10),
  }, "an object (a connecting tcp endpoint)"),
  url: v.exactOptional(str()),
  serializers: v.exactOptional(SerializersSchema),
  options: v.optional(WebSocketOptionsSchema, {}),
}, "an object (a WebSocket backend)");

/** The `websocket-reverseproxy` service. */
export const WebSocketReverseProxyServiceSchema = strict({
  type: v.literal("websocket-reverseproxy"),
  id: v.exactOptional(id()),
  /** The WebSocket server frames are relayed to. */
  backend: BackendSchema,
  url: v.exactOptional(str()),
  options: v.optional(WebSocketOptionsSchema, {}),
}, "an object (a websocket-reverseproxy service)");

/** The `cgi` service. */
export const CgiServiceSchema = strict({
  type: v.literal("cgi"),
  id: v.exactOptional(id()),
  /** Script folder, relative to the node directory. */
  directory: text(),
  /** Program that runs each script (e.g. `/usr/bin/python3`). */
  processor: text(),
}, "an object (a cgi service)");

const CidrSchema = v.pipe(
  str(),
  v.check(
    isNetwork,
    (issue) =>
      `invalid network ${
        JSON.stringify(issue.input)
      } (expected an IPv4 or IPv6 address with an optional "/prefix", e.g. "10.0.0.0/8")`,
  ),
);

/** Options of the HTTP bridge `publisher` and `caller` services. */
export const BridgeOptionsSchema = v.pipe(
  strict({
    debug: v.optional(bool(), false),
    /** Key name for signed requests (with `secret`). */
    key: v.exactOptional(str()),
    /** HMAC secret for signed requests (with `key`). */
    secret: v.exactOptional(str()),
    /** Refuse requests that did not arrive over TLS. @default false */
    require_tls: v.optional(bool(), false),
    /** Networks allowed to post (CIDR). Absent: any. */
    require_ip: v.exactOptional(
      v.array(CidrSchema, expected("a list of networks")),
    ),
    /** Largest body in bytes, 0 = no limit. @default 0 */
    post_body_limit: v.optional(int(0, 1048576), 0),
    /** Allowed clock skew of signed requests in seconds. @default 300 */
    timestamp_delta_limit: v.optional(int(0, 86400), 300),
  }, "an object (bridge options)"),
  v.check(
    (o) => (o.key === undefined) === (o.secret === undefined),
    `"key" and "secret" go together: give both or neither`,
  ),
);

function bridge<const T extends "publisher" | "caller">(type: T) {
  return strict({
    type: v.literal(type),
    id: v.exactOptional(id()),
    /** Realm the bridge session joins. */
    realm: str(),
    /** Role of the bridge session. */
    role: str(),
    options: v.optional(BridgeOptionsSchema, {}),
  }, `an object (a ${type} service)`);
}

/** The `publisher` service: HTTP POST → WAMP PUBLISH. */
export const PublisherServiceSchema = bridge("publisher");

/** The `caller` service: HTTP POST → WAMP CALL. */
export const CallerServiceSchema = bridge("caller");

/** The `webhook` service: any POST body is published to a topic. */
export const WebhookServiceSchema = strict({
  type: v.literal("webhook"),
  id: v.exactOptional(id()),
  realm: str(),
  role: str(),
  options: strict({
    /** Topic the request is published to. */
    topic: str(),
    /** Body of the 202 answer. @default "OK" */
    success_response: v.optional(str(), "OK"),
    /** Body of the 500 answer. @default "NOT OK" */
    error_response: v.optional(str(), "NOT OK"),
    /** Secret to check GitHub's `X-Hub-Signature`. */
    github_secret: v.exactOptional(str()),
    /** Largest body in bytes, 0 = no limit. @default 0 */
    post_body_limit: v.optional(int(0, 1048576), 0),
    debug: v.optional(bool(), false),
  }, "an object (webhook options)"),
}, "an object (a webhook service)");

/** Path service types Crossbar knows but this node does not serve yet. */
export const UNSUPPORTED_SERVICE_TYPES = [
  "resource",
  "archive",
  "wap",
  "catalog",
  "upload",
  "fileupload",
  "schemadoc",
] as const;

/** The output of the recursive `path` service. */
export interface PathTreeServiceOutput {
  type: "path";
  id?: string | undefined;
  paths: Record<string, PathServiceOutput>;
}

/** The input of the recursive `path` service. */
export interface PathTreeServiceInput {
  type: "path";
  id?: string | undefined;
  paths: Record<string, PathServiceInput>;
}

const LEAF_SERVICES = {
  wsgi: WsgiServiceSchema,
  websocket: WebSocketServiceSchema,
  static: StaticServiceSchema,
  redirect: RedirectServiceSchema,
  json: JsonServiceSchema,
  nodeinfo: NodeInfoServiceSchema,
  metrics: MetricsServiceSchema,
  reverseproxy: ReverseProxyServiceSchema,
  "websocket-reverseproxy": WebSocketReverseProxyServiceSchema,
  cgi: CgiServiceSchema,
  publisher: PublisherServiceSchema,
  caller: CallerServiceSchema,
  webhook: WebhookServiceSchema,
  none: NoneServiceSchema,
  longpoll: LongPollServiceSchema,
};

type Leaf = (typeof LEAF_SERVICES)[keyof typeof LEAF_SERVICES];

/** Any path service, output side. */
export type PathServiceOutput = v.InferOutput<Leaf> | PathTreeServiceOutput;

/** Any path service, input side. */
export type PathServiceInput = v.InferInput<Leaf> | PathTreeServiceInput;

/** The `path` service: a nested path table. */
export const PathTreeServiceSchema: v.GenericSchema<
  PathTreeServiceInput,
  PathTreeServiceOutput
> = strict({
  type: v.literal("path"),
  id: v.exactOptional(id()),
  paths: v.lazy(() => PathsSchema),
}, "an object (a path service)");

/** Any path service, dispatched on `type`. */
export const PathServiceSchema: v.GenericSchema<
  PathServiceInput,
  PathServiceOutput
> = byType({ ...LEAF_SERVICES, path: PathTreeServiceSchema }, {
  kind: "path service",
  unsupported: UNSUPPORTED_SERVICE_TYPES,
});

/** A `paths` table: path keys to services. */
export const PathsSchema: v.GenericSchema<
  Record<string, PathServiceInput>,
  Record<string, PathServiceOutput>
> = v.pipe(
  notArray("an object (path keys to services)"),
  v.record(
    PathKeySchema,
    PathServiceSchema,
    expected("an object (path keys to services)"),
  ),
) as unknown as v.GenericSchema<
  Record<string, PathServiceInput>,
  Record<string, PathServiceOutput>
>;

/** Options of a `web` transport (Crossbar §3.2). */
export const WebOptionsSchema = strict({
  /** Log each request. @default false */
  access_log: v.optional(bool(), false),
  /** Show error details in 500 pages (never in production). @default false */
  display_tracebacks: v.optional(bool(), false),
  /** Send `Strict-Transport-Security`. @default false */
  hsts: v.optional(bool(), false),
  /** HSTS max-age in seconds. @default 31536000 */
  hsts_max_age: v.optional(int(0), 31536000),
  /** Idle connection timeout in seconds, 1 to 86400; null: none. @default null */
  client_timeout: v.optional(v.nullable(int(1, 86400)), null),
  /**
   * Seconds a request body may go without data, and after which it must
   * average `request_body_min_rate` bytes a second (as Apache
   * `mod_reqtimeout`'s `body=20,MinRate=500`); a slower client gets 408.
   * null: no limit. @default 20
   */
  request_body_timeout: v.optional(v.nullable(int(1, 86400)), 20),
  /** Least average bytes per second of a request body. @default 500 */
  request_body_min_rate: v.optional(int(1, 1 << 30), 500),
  /**
   * Seconds a connection may take to send a complete request head, counted
   * from when it opens or its previous response ends (slowloris clients,
   * idle keep-alive connections); an extension to Crossbar. null: none.
   * @default 10
   */
  request_header_timeout: v.optional(v.nullable(int(1, 86400)), 10),
}, "an object (web transport options)");

function isNetwork(text: string): boolean {
  try {
    parseNetwork(text);
    return true;
  } catch {
    return false;
  }
}
