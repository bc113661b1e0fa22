/**
 * The node configuration: Crossbar's `.crossbar/config.json` (version 2,
 * JSON with comments allowed), validated with valibot into typed
 * {@link Config} values with defaults applied.
 *
 * Every problem is reported at once in one {@link ConfigError}, each as
 * `file:line:column: json.path: what is wrong (what is allowed)`. Every
 * default lives in the schema; services take its output types, and one
 * path service's config built as a value (tests, benchmarks) goes through
 * {@link validateServiceConfig}.
 *
 * @example Load the node's config
 * ```ts ignore
 * import { loadConfig, resolveNodeDirectory } from "./mod.ts";
 *
 * const { configPath } = resolveNodeDirectory({ cbdir: Deno.args[0] });
 * const { config, warnings, cbdir } = await loadConfig(configPath);
 * ```
 *
 * @module
 */

export {
  type ConfigOptions,
  loadConfig,
  type LoadedConfig,
  parseConfig,
  validateConfig,
} from "./load_config.ts";
export { ConfigError, type ConfigIssue, formatIssue } from "./config_error.ts";
export {
  type NodeDirectory,
  resolveNodeDirectory,
  type ResolveNodeDirectoryOptions,
} from "./node_directory.ts";
export {
  type AnonymousAuthConfig,
  type AuthConfig,
  type CallerServiceConfig,
  type CgiServiceConfig,
  type ClusterConfig,
  type Config,
  type ConfigInput,
  type ControllerConfig,
  type CookieConfig,
  type CryptosignAuthConfig,
  type DynamicAuthConfig,
  type EndpointConfig,
  type JsonServiceConfig,
  type NodeInfoServiceConfig,
  type NoneServiceConfig,
  PATH_KEY_REGEXP,
  type PathsConfig,
  type PathServiceConfig,
  type PathServiceConfigInput,
  type PathTreeServiceConfig,
  type PathTreeServiceConfigInput,
  type PermissionConfig,
  type PublisherServiceConfig,
  type RawSocketTransportConfig,
  type RealmConfig,
  type RealmConfigInput,
  type RealmOptions,
  type RealmStoreConfig,
  type RedirectServiceConfig,
  type ReverseProxyServiceConfig,
  type RoleConfig,
  type RouterOptions,
  type RouterWorkerConfig,
  type SerializerName,
  SERIALIZERS,
  type StaticServiceConfig,
  type TcpEndpointConfig,
  type TicketAuthConfig,
  type TlsConfig,
  type TransportConfig,
  type UniversalTransportConfig,
  type UnixEndpointConfig,
  type WampCraAuthConfig,
  type WebhookServiceConfig,
  type WebOptions,
  type WebSocketOptions,
  type WebSocketReverseProxyServiceConfig,
  type WebSocketServiceConfig,
  type WebSocketTransportConfig,
  type WebTransportConfig,
  WORKER_TYPES,
  type WorkerConfig,
  type WsgiServiceConfig,
} from "./schema.ts";
export {
  type ServiceConfigInputOf,
  type ServiceConfigOf,
  validateServiceConfig,
} from "./service_config.ts";
