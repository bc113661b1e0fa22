/**
 * The node configuration schema (Crossbar's `.crossbar/config.json`, version
 * 2), written with valibot. Defaults live in the schema, so a validated
 * {@link Config} carries resolved values.
 *
 * Unknown attributes are errors everywhere, as in Crossbar. Parts Crossbar
 * knows but this node does not support yet are rejected with a
 * "not supported yet" message.
 *
 * @module
 */

import * as v from "valibot";
import {
  bool,
  byType,
  dict,
  expected,
  id,
  int,
  oneOf,
  str,
  strict,
  strList,
  unsupported,
} from "./_schema/common.ts";
import { AuthSchema } from "./_schema/auth.ts";
import { ClusterSchema } from "./_schema/cluster.ts";
import { EndpointSchema, TlsSchema } from "./_schema/endpoint.ts";
import { RealmSchema } from "./_schema/router.ts";
import {
  CallerServiceSchema,
  CgiServiceSchema,
  JsonServiceSchema,
  NodeInfoServiceSchema,
  NoneServiceSchema,
  type PathServiceInput,
  type PathServiceOutput,
  PathsSchema,
  type PathTreeServiceInput,
  type PathTreeServiceOutput,
  PublisherServiceSchema,
  RedirectServiceSchema,
  ReverseProxyServiceSchema,
  StaticServiceSchema,
  WebhookServiceSchema,
  WebOptionsSchema,
  WEBSOCKET_ENTRIES,
  WebSocketReverseProxyServiceSchema,
  WebSocketServiceSchema,
} from "./_schema/services.ts";
import {
  CookieSchema,
  SerializersSchema,
  WebSocketOptionsSchema,
} from "./_schema/websocket.ts";
import { WsgiServiceSchema } from "./_schema/wsgi.ts";
import {
  ContainerComponentSchema,
  ContainerWorkerSchema,
  GuestWorkerSchema,
  RouterComponentSchema,
} from "./_schema/workers.ts";
import {
  RawSocketTransportSchema,
  UniversalTransportSchema,
} from "./_schema/transports.ts";
import {
  AnonymousAuthSchema,
  CryptosignAuthSchema,
  TicketAuthSchema,
  WampCraAuthSchema,
} from "./_schema/auth.ts";
import {
  PermissionSchema,
  RealmOptionsSchema,
  RealmStoreSchema,
  RoleSchema,
} from "./_schema/router.ts";

export { PATH_KEY_REGEXP } from "./_schema/services.ts";
export { SERIALIZERS } from "./_schema/websocket.ts";
export type { ClusterConfig } from "./_schema/cluster.ts";

/** Worker types Crossbar knows; `proxy` and `websocket-testee` are not supported. */
export const WORKER_TYPES = [
  "router",
  "container",
  "guest",
  "proxy",
  "websocket-testee",
] as const;

/** Controller (node) settings. */
const ControllerSchema = strict({
  id: v.exactOptional(str()),
  options: v.optional(
    strict({
      /** Process title. */
      title: v.exactOptional(str()),
      /** Shutdown triggers (accepted as Crossbar's names). */
      shutdown: v.exactOptional(v.array(
        oneOf([
          "shutdown_on_shutdown_requested",
          "shutdown_on_worker_exit",
          "shutdown_on_worker_exit_with_error",
          "shutdown_on_last_worker_exit",
        ]),
        expected("a list of shutdown triggers"),
      )),
      /** Start workers in parallel. @default false */
      enable_parallel_worker_start: v.optional(bool(), false),
    }, "an object (controller options)"),
    {},
  ),
  /**
   * One logical node over several processes/machines (ours, not Crossbar's).
   * Absent: its defaults (one process, no NATS: not clustered).
   */
  cluster: v.optional(ClusterSchema, {}),
  manhole: unsupported("the controller manhole is not supported yet"),
  connections: unsupported("controller connections are not supported yet"),
  keyring: unsupported("the controller keyring is not supported yet"),
  fabric: unsupported(
    'controller "fabric" (CrossbarFX edge nodes) is not supported',
  ),
  "fabric-center": unsupported(
    'controller "fabric-center" (CrossbarFX master nodes) is not supported',
  ),
  enable_docker: unsupported(
    'controller "enable_docker" (CrossbarFX) is not supported',
  ),
}, "an object (controller settings)");

/** Options of a router worker. */
const RouterOptionsSchema = strict({
  /**
   * Folders (relative to the node directory) where `wsgi` modules are
   * looked up, in order. @default []
   */
  pythonpath: v.optional(strList(), () => []),
  /** Process/worker title. */
  title: v.exactOptional(str()),
  /** Worker environment (accepted as Crossbar's `{inherit, vars}`). */
  env: v.exactOptional(strict({
    inherit: v.exactOptional(v.union(
      [bool(), strList()],
      expected("true, false or a list of names"),
    )),
    vars: v.exactOptional(dict(str())),
  }, "an object (environment settings)")),
  /** CPU cores to pin to (accepted, ignored). */
  cpu_affinity: v.exactOptional(
    v.array(int(0), expected("a list of CPU numbers")),
  ),
  /**
   * Skip this worker. `"$VAR"`/`"${VAR}"` strings are read from the
   * environment before validation. @default false
   */
  disabled: v.optional(bool(), false),
  /** Free-form data for the worker (accepted). */
  extra: v.exactOptional(v.unknown()),
  /** Expose the node controller to the worker (accepted). */
  expose_controller: v.exactOptional(bool()),
  /** Expose shared state to the worker (accepted). */
  expose_shared: v.exactOptional(bool()),
  /** Python interpreter (ignored). */
  python: v.exactOptional(v.unknown()),
}, "an object (worker options)");

/** A `web` transport: an endpoint with a path table. */
const WebTransportSchema = strict({
  type: v.literal("web"),
  id: v.exactOptional(id()),
  endpoint: EndpointSchema,
  /** Path keys to services; `"/"` is optional (404 root when absent). */
  paths: PathsSchema,
  options: v.optional(WebOptionsSchema, {}),
}, "an object (a web transport)");

/** A standalone `websocket` transport: one WAMP endpoint on its own port. */
const WebSocketTransportSchema = strict(
  { ...WEBSOCKET_ENTRIES, endpoint: EndpointSchema },
  "an object (a websocket transport)",
);

const TransportSchema = byType({
  web: WebTransportSchema,
  websocket: WebSocketTransportSchema,
  rawsocket: RawSocketTransportSchema,
  universal: UniversalTransportSchema,
}, {
  kind: "transport",
  unsupported: [
    "mqtt",
    "flashpolicy",
    "websocket.testee",
    "stream.testee",
  ],
});

/** A router worker: realms and listening transports. */
const RouterWorkerSchema = strict({
  type: v.literal("router"),
  id: v.exactOptional(id()),
  options: v.optional(RouterOptionsSchema, {}),
  realms: v.optional(
    v.array(RealmSchema, expected("a list of realms")),
    () => [],
  ),
  transports: v.optional(
    v.array(TransportSchema, expected("a list of transports")),
    () => [],
  ),
  manhole: unsupported("the worker manhole is not supported yet"),
  /** WAMP components started in this router before its transports. */
  components: v.optional(
    v.array(RouterComponentSchema, expected("a list of components")),
    () => [],
  ),
  connections: unsupported("router connections are not supported yet"),
}, "an object (a router worker)");

const WorkerSchema = byType({
  router: RouterWorkerSchema,
  container: ContainerWorkerSchema,
  guest: GuestWorkerSchema,
}, {
  kind: "worker",
  unsupported: WORKER_TYPES.slice(3),
  unknown: (type, known) =>
    `invalid worker type ${type} (valid types are: ${known})`,
});

const VersionSchema = v.pipe(
  v.number(expected("2")),
  v.check(
    (n) => n === 2,
    (issue) =>
      issue.input === 1
        ? "configuration version 1 is too old: version 2 is required (Crossbar's 'crossbar upgrade' converts it)"
        : `expected 2, found ${issue.input}`,
  ),
) as v.GenericSchema<number, 2>;

/** The whole node configuration. */
export const ConfigSchema = strict(
  {
    /** JSON Schema reference (ignored). */
    $schema: v.exactOptional(str()),
    /** Config format version; must be 2. A missing one is read as 2 with a warning. */
    version: v.optional(VersionSchema, 2),
    controller: v.optional(ControllerSchema, {}),
    workers: v.optional(
      v.array(WorkerSchema, expected("a list of workers")),
      () => [],
    ),
  },
  "an object (the node configuration)",
  {
    processes:
      '"processes" is from Crossbar version 1 configs; this node reads version 2 ("workers")',
  },
);

/** A validated node configuration with defaults applied. */
export type Config = v.InferOutput<typeof ConfigSchema>;
/** A node configuration as written (before defaults). */
export type ConfigInput = v.InferInput<typeof ConfigSchema>;
/** Controller settings. */
export type ControllerConfig = v.InferOutput<typeof ControllerSchema>;
/** A worker (only routers are supported). */
export type WorkerConfig = v.InferOutput<typeof WorkerSchema>;
/** A container worker (WAMP components connecting to a router). */
export type ContainerWorkerConfig = v.InferOutput<typeof ContainerWorkerSchema>;
/** A guest worker (any program). */
export type GuestWorkerConfig = v.InferOutput<typeof GuestWorkerSchema>;
/** A component of a router worker. */
export type RouterComponentConfig = v.InferOutput<typeof RouterComponentSchema>;
/** A component of a container worker. */
export type ContainerComponentConfig = v.InferOutput<
  typeof ContainerComponentSchema
>;
/** A router worker. */
export type RouterWorkerConfig = v.InferOutput<typeof RouterWorkerSchema>;
/** Options of a router worker. */
export type RouterOptions = v.InferOutput<typeof RouterOptionsSchema>;
/** Any listening transport of a router. */
export type TransportConfig = v.InferOutput<typeof TransportSchema>;
/** A `web` transport. */
export type WebTransportConfig = v.InferOutput<typeof WebTransportSchema>;
/** A standalone `websocket` transport. */
export type WebSocketTransportConfig = v.InferOutput<
  typeof WebSocketTransportSchema
>;
/** A `rawsocket` transport. */
export type RawSocketTransportConfig = v.InferOutput<
  typeof RawSocketTransportSchema
>;
/** A `universal` transport. */
export type UniversalTransportConfig = v.InferOutput<
  typeof UniversalTransportSchema
>;
/** A listening endpoint (`tcp` or `unix`). */
export type EndpointConfig = v.InferOutput<typeof EndpointSchema>;
/** A `tcp` endpoint. */
export type TcpEndpointConfig = Extract<EndpointConfig, { type: "tcp" }>;
/** A `unix` endpoint. */
export type UnixEndpointConfig = Extract<EndpointConfig, { type: "unix" }>;
/** TLS settings of a tcp endpoint. */
export type TlsConfig = v.InferOutput<typeof TlsSchema>;
/** Options of a `web` transport. */
export type WebOptions = v.InferOutput<typeof WebOptionsSchema>;
/** WebSocket options. */
export type WebSocketOptions = v.InferOutput<typeof WebSocketOptionsSchema>;
/** A WAMP serializer name. */
export type SerializerName = v.InferOutput<typeof SerializersSchema>[number];
/** Cookie tracking settings. */
export type CookieConfig = v.InferOutput<typeof CookieSchema>;
/** Any path service. */
export type PathServiceConfig = PathServiceOutput;
/** Any path service as written. */
export type PathServiceConfigInput = PathServiceInput;
/** A `paths` table. */
export type PathsConfig = Record<string, PathServiceConfig>;
/** The `wsgi` service (with `minthreads`/`maxthreads` resolved). */
export type WsgiServiceConfig = v.InferOutput<typeof WsgiServiceSchema>;
/** The `websocket` path service. */
export type WebSocketServiceConfig = v.InferOutput<
  typeof WebSocketServiceSchema
>;
/** The `static` service. */
export type StaticServiceConfig = v.InferOutput<typeof StaticServiceSchema>;
/** The `redirect` service. */
export type RedirectServiceConfig = v.InferOutput<typeof RedirectServiceSchema>;
/** The `json` service. */
export type JsonServiceConfig = v.InferOutput<typeof JsonServiceSchema>;
/** The `nodeinfo` service. */
export type NodeInfoServiceConfig = v.InferOutput<typeof NodeInfoServiceSchema>;
/** The `reverseproxy` service. */
export type ReverseProxyServiceConfig = v.InferOutput<
  typeof ReverseProxyServiceSchema
>;
/** The `websocket-reverseproxy` service. */
export type WebSocketReverseProxyServiceConfig = v.InferOutput<
  typeof WebSocketReverseProxyServiceSchema
>;
/** The `cgi` service. */
export type CgiServiceConfig = v.InferOutput<typeof CgiServiceSchema>;
/** The nested `path` service. */
export type PathTreeServiceConfig = PathTreeServiceOutput;
/** The nested `path` service as written. */
export type PathTreeServiceConfigInput = PathTreeServiceInput;
/** The HTTP bridge `publisher` service. */
export type PublisherServiceConfig = v.InferOutput<
  typeof PublisherServiceSchema
>;
/** The HTTP bridge `caller` service. */
export type CallerServiceConfig = v.InferOutput<typeof CallerServiceSchema>;
/** The HTTP bridge `webhook` service. */
export type WebhookServiceConfig = v.InferOutput<typeof WebhookServiceSchema>;
/** The `none` service. */
export type NoneServiceConfig = v.InferOutput<typeof NoneServiceSchema>;
/** A realm. */
export type RealmConfig = v.InferOutput<typeof RealmSchema>;
/** A realm as written (before defaults are applied). */
export type RealmConfigInput = v.InferInput<typeof RealmSchema>;
/** Realm options. */
export type RealmOptions = v.InferOutput<typeof RealmOptionsSchema>;
/** A realm store (memory only). */
export type RealmStoreConfig = v.InferOutput<typeof RealmStoreSchema>;
/** A role. */
export type RoleConfig = v.InferOutput<typeof RoleSchema>;
/** A permission of a role. */
export type PermissionConfig = v.InferOutput<typeof PermissionSchema>;
/** The `auth` object of a WebSocket endpoint, keyed by method. */
export type AuthConfig = v.InferOutput<typeof AuthSchema>;
/** Anonymous authentication (static or dynamic). */
export type AnonymousAuthConfig = v.InferOutput<typeof AnonymousAuthSchema>;
/** Ticket authentication (static or dynamic). */
export type TicketAuthConfig = v.InferOutput<typeof TicketAuthSchema>;
/** WAMP-CRA authentication (static or dynamic). */
export type WampCraAuthConfig = v.InferOutput<typeof WampCraAuthSchema>;
/** WAMP-cryptosign authentication (static or dynamic). */
export type CryptosignAuthConfig = v.InferOutput<typeof CryptosignAuthSchema>;
/** Dynamic authentication of any method. */
export type DynamicAuthConfig = Extract<
  AnonymousAuthConfig,
  { type: "dynamic" }
>;
