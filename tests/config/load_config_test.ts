import { fileURLToPath } from "node:url";
import {
  ConfigError,
  loadConfig,
  parseConfig,
  validateConfig,
} from "../../lib/config/mod.ts";
import type {
  PathTreeServiceConfig,
  PublisherServiceConfig,
  RouterWorkerConfig,
  StaticServiceConfig,
  WebSocketServiceConfig,
  WebTransportConfig,
  WorkerConfig,
  WsgiServiceConfig,
} from "../../lib/config/mod.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../_helpers/assert.ts";

const TESTDATA = fileURLToPath(new URL("../testdata/config/", import.meta.url));

/** The worker as a router worker (the fixtures' workers are routers). */
function router(worker: WorkerConfig | undefined): RouterWorkerConfig {
  if (worker?.type !== "router") throw new Error("expected a router worker");
  return worker;
}
const VALID = `${TESTDATA}valid/`;
const INVALID = `${TESTDATA}invalid/`;

/**
 * Loads a fixture that must fail, checks that the error lists exactly the
 * expected lines (each given by its start), in order.
 */
async function expectIssues(
  name: string,
  expected: string[],
  env: Record<string, string> = {},
): Promise<ConfigError> {
  const error = await assertRejects(
    () => loadConfig(`${INVALID}${name}`, { env }),
    ConfigError,
  );
  const lines = error.message.split("\n").map((line) =>
    line.replace(INVALID, "")
  );
  assertEquals(
    lines.length,
    expected.length,
    `expected ${expected.length} issues, got:\n${lines.join("\n")}`,
  );
  expected.forEach((start, i) => {
    assert(
      lines[i]!.startsWith(start),
      `issue ${i} of ${name}:\n  got      ${lines[i]}\n  expected ${start}…`,
    );
  });
  assertEquals(error.issues.length, expected.length);
  assertEquals(error.name, "ConfigError");
  assert(!error.message.includes("    at "), "no stack trace in the message");
  return error;
}

function webTransport(loaded: { config: { workers: unknown[] } }, t = 0) {
  const worker = loaded.config.workers[0] as {
    transports: WebTransportConfig[];
  };
  return worker.transports[t]!;
}

Deno.test("loadConfig() accepts a config that uses every supported feature", async () => {
  const loaded = await loadConfig(`${VALID}full.json`, {
    env: { PORT: "8443", ROUTER_DISABLED: "false" },
  });
  assertEquals(loaded.warnings, []);
  assertEquals(loaded.cbdir, VALID.slice(0, -1));
  assertEquals(loaded.path, `${VALID}full.json`);
  const { config } = loaded;
  assertEquals(config.version, 2);
  assertEquals(config.controller.options.enable_parallel_worker_start, true);
  const worker = router(config.workers[0]);
  assertEquals(worker.options.pythonpath, [".."]);
  assertEquals(worker.options.disabled, false);
  assertEquals(worker.realms.map((r) => r.name), ["realm1", "realm2"]);
  const [anonymous, backend] = worker.realms[0]!.roles;
  assertEquals(anonymous!.permissions![1], {
    uri: "com.example.*",
    allow: { call: false, register: false, publish: false, subscribe: false },
    disclose: { caller: false, publisher: false },
    cache: false,
  });
  assertEquals(backend!.authorizer, "com.example.authorize");
  assertEquals(backend!.permissions, undefined);
  assertEquals(worker.realms[1]!.options.uri_check, "strict");

  const web = webTransport(loaded);
  assertEquals(web.endpoint.type === "tcp" && web.endpoint.port, 8443);
  assertEquals(web.options.hsts_max_age, 600);
  const root = web.paths["/"] as WsgiServiceConfig;
  assertEquals([root.minthreads, root.maxthreads], [1, 4]);
  assertEquals(root.permissions.net, ["example.com:443"]);
  assertEquals(root.wamp, { realm: "realm1", role: "backend", authid: "app" });
  const fixed = web.paths.fixed as WsgiServiceConfig;
  assertEquals([fixed.minthreads, fixed.maxthreads], [3, 3]);
  const ws = web.paths.ws as WebSocketServiceConfig;
  assertEquals(ws.options.auto_ping_interval, 10000);
  assertEquals(ws.options.require_websocket_subprotocol, true);
  assertEquals(ws.auth?.ticket?.type, "static");
  const ticket = ws.auth?.ticket;
  assert(ticket?.type === "static");
  assertEquals(ticket.principals.joe!.ticket, "${TICKET}");
  const ws2 = web.paths.ws2 as WebSocketServiceConfig;
  assertEquals(ws2.serializers, ["json", "msgpack", "cbor"]);
  assertEquals(ws2.options.allowed_origins, ["*"]);
  const files = web.paths.static as StaticServiceConfig;
  assertEquals(files.options.cache_timeout, null);
  const nested = web.paths.nested as PathTreeServiceConfig;
  assertEquals(nested.paths.deeper!.type, "path");
  const publish = web.paths.publish as PublisherServiceConfig;
  assertEquals(publish.options.post_body_limit, 8192);
  assertEquals(web.paths["api/v2"]!.type, "json");
  const standalone = worker.transports[1]!;
  assertEquals(standalone.type, "websocket");
  assertEquals(standalone.endpoint, {
    type: "unix",
    path: "wamp.sock",
    backlog: 50,
  });
});

Deno.test("loadConfig() fills defaults for a minimal wsgi service", () => {
  const { config } = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0 },
        paths: { "/": { type: "wsgi", module: "app.ts", object: "default" } },
      }],
    }],
  });
  const web = router(config.workers[0]).transports[0] as WebTransportConfig;
  const app = web.paths["/"] as WsgiServiceConfig;
  assertEquals([app.minthreads, app.maxthreads], [1, 2]);
  assertEquals(app.permissions, {
    read: [],
    write: [],
    net: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
  });
  assertEquals(web.options, {
    access_log: false,
    display_tracebacks: false,
    hsts: false,
    hsts_max_age: 31536000,
    request_body_timeout: 20,
    request_body_min_rate: 500,
    request_header_timeout: 10,
    client_timeout: null,
  });
  assertEquals(web.endpoint, {
    type: "tcp",
    port: 0,
    version: 4,
    backlog: 50,
    shared: false,
  });
});

Deno.test("parseConfig() accepts comments and trailing commas", async () => {
  const file = `${VALID}jsonc.json`;
  const { config, warnings } = parseConfig(
    await Deno.readTextFile(file),
    file,
  );
  assertEquals(warnings, []);
  assertEquals(router(config.workers[0]).realms[0]!.name, "realm1");
});

Deno.test("loadConfig() warns when version is missing and reads version 2", async () => {
  const { config, warnings } = await loadConfig(`${VALID}no_version.json`);
  assertEquals(config.version, 2);
  assertEquals(warnings.length, 1);
  assertStringIncludes(warnings[0]!, 'no_version.json:1:1: no "version" given');
});

Deno.test("parseConfig() warns about an attribute given twice", () => {
  const { warnings } = parseConfig(
    '{\n  "version": 2,\n  "version": 2\n}',
    "dup.json",
  );
  assertEquals(warnings, [
    "dup.json:3:3: version: this attribute is given more than once; the last one is used",
  ]);
});

Deno.test("validateConfig() reports JSON paths without positions", () => {
  const error = assertThrows(
    () =>
      validateConfig({
        version: 2,
        workers: [{ type: "router", transports: [{ type: "web" }] }],
      }),
    ConfigError,
  );
  assertEquals(error.issues, [{
    path: "workers[0].transports[0]",
    message: 'missing required attribute "endpoint"',
  }, {
    path: "workers[0].transports[0]",
    message: 'missing required attribute "paths"',
  }]);
  assertEquals(
    error.message.split("\n")[0],
    'workers[0].transports[0]: missing required attribute "endpoint"',
  );
});

Deno.test("validateConfig() resolves an environment port without changing its input", () => {
  const input = {
    version: 2,
    workers: [{
      type: "router",
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: "$PORT" },
        paths: {},
      }],
    }],
  };
  const before = structuredClone(input);
  const { config } = validateConfig(input, { env: { PORT: "9000" } });
  const endpoint = router(config.workers[0]).transports[0]!.endpoint;
  assertEquals(endpoint.type === "tcp" && endpoint.port, 9000);
  assertEquals(input, before);
});

Deno.test("loadConfig() rejects a YAML file with a clear message", async () => {
  const error = await assertRejects(
    () => loadConfig("/nowhere/config.yaml"),
    ConfigError,
  );
  assertEquals(
    error.message,
    "/nowhere/config.yaml: YAML configs are not supported yet (convert the file to config.json)",
  );
});

Deno.test("loadConfig() rejects a file with another extension", async () => {
  await assertRejects(
    () => loadConfig("/nowhere/config.txt"),
    ConfigError,
    'invalid configuration file extension ".txt"',
  );
});

Deno.test("loadConfig() reports a missing file without a stack trace", async () => {
  const error = await assertRejects(
    () => loadConfig(`${INVALID}no_such_file.json`),
    ConfigError,
  );
  assertEquals(
    error.message,
    `${INVALID}no_such_file.json: cannot read the configuration file: file not found`,
  );
});

Deno.test("parseConfig() reports an empty file", () => {
  assertThrows(
    () => parseConfig("  \n", "empty.json"),
    ConfigError,
    "empty.json:1:1: invalid JSON: the file is empty",
  );
});

Deno.test("loadConfig() gives the position of a JSON syntax error", async () => {
  await expectIssues("syntax_error.json", [
    'syntax_error.json:5:5: invalid JSON: expected a comma (",")',
  ]);
});

Deno.test("loadConfig() rejects a top level that is not an object", async () => {
  await expectIssues("not_an_object.json", [
    "not_an_object.json:1:1: expected an object (the node configuration), found a list",
  ]);
});

Deno.test("loadConfig() reports a wrong type with the value found", async () => {
  await expectIssues("bad_type.json", [
    'bad_type.json:11:45: workers[0].transports[0].paths["/"].module: expected a string, found a number (42)',
  ]);
});

Deno.test("loadConfig() reports an unknown top-level attribute with a version 1 hint", async () => {
  await expectIssues("unknown_key_top.json", [
    'unknown_key_top.json:3:3: processes: unknown attribute "processes" (allowed: $schema, version, controller, workers); "processes" is from Crossbar version 1 configs',
  ]);
});

Deno.test("loadConfig() reports unknown attributes at every depth, at the key", async () => {
  await expectIssues("unknown_key_deep.json", [
    'unknown_key_deep.json:3:18: controller.optoins: unknown attribute "optoins" (allowed: id, options, cluster); did you mean "options"?',
    'unknown_key_deep.json:10:39: workers[0].transports[0].endpoint.prot: unknown attribute "prot" (allowed: type, version, port, portrange,',
    'unknown_key_deep.json:12:72: workers[0].transports[0].paths["/"].threads: unknown attribute "threads" (allowed: type, id, module, object, minthreads, maxthreads, workers, timeout, max_queue, concurrency, idle_timeout, load_timeout, max_body_size, max_requests, max_memory, recycle_memory, permissions, wamp)',
    'unknown_key_deep.json:13:53: workers[0].transports[0].paths.ws.options.foo: unknown attribute "foo" (allowed: allowed_origins,',
  ]);
});

Deno.test("loadConfig() rejects bad path keys at the key", async () => {
  const rule =
    '(expected "/" or segments of letters, digits, "_" and "-" joined by "/", with no leading, trailing or double "/")';
  await expectIssues("bad_path_key.json", [
    `bad_path_key.json:11:13: workers[0].transports[0].paths["api/"]: invalid path "api/" ${rule}`,
    `bad_path_key.json:12:13: workers[0].transports[0].paths["/info"]: invalid path "/info" ${rule}`,
    `bad_path_key.json:13:13: workers[0].transports[0].paths["a//b"]: invalid path "a//b" ${rule}`,
    `bad_path_key.json:15:13: workers[0].transports[0].paths["sp ace"]: invalid path "sp ace" ${rule}`,
  ]);
});

Deno.test("loadConfig() suggests the closest path service type", async () => {
  await expectIssues("unknown_service_type.json", [
    'unknown_service_type.json:11:27: workers[0].transports[0].paths["/"].type: unknown path service type "wsgii" (expected one of: wsgi, websocket, static,',
    'unknown_service_type.json:12:31: workers[0].transports[0].paths.files.type: path service type "upload" is not supported yet (supported: wsgi,',
    'unknown_service_type.json:13:18: workers[0].transports[0].paths.x: missing required attribute "type" (one of: wsgi,',
  ]);
  const error = await assertRejects(
    () => loadConfig(`${INVALID}unknown_service_type.json`),
    ConfigError,
  );
  assert(error.issues[0]!.message.endsWith('; did you mean "wsgi"?'));
  assert(!error.issues[0]!.message.includes("module"), "no union noise");
});

Deno.test("loadConfig() reports a missing wsgi module at the service", async () => {
  await expectIssues("missing_module.json", [
    'missing_module.json:11:20: workers[0].transports[0].paths.app: missing required attribute "module"',
  ]);
});

Deno.test("loadConfig() rejects minthreads above maxthreads", async () => {
  await expectIssues("min_gt_max.json", [
    'min_gt_max.json:11:20: workers[0].transports[0].paths.app: "minthreads" must not exceed "maxthreads"',
  ]);
});

Deno.test("loadConfig() rejects a fixed worker count combined with thread bounds", async () => {
  await expectIssues("workers_with_threads.json", [
    'workers_with_threads.json:11:20: workers[0].transports[0].paths.app: "workers" (a fixed pool size) cannot be combined with "minthreads" or "maxthreads"',
  ]);
});

Deno.test("loadConfig() reports the dot path of an invalid port", async () => {
  await expectIssues("bad_port.json", [
    "bad_port.json:7:61: workers[0].transports[0].endpoint.port: expected an integer from 0 to 65535, found a number (70000)",
    'bad_port.json:8:61: workers[0].transports[1].endpoint.port: expected an integer from 0 to 65535, found a string ("8080")',
    "bad_port.json:9:61: workers[0].transports[2].endpoint.port: expected an integer from 0 to 65535, found a number (80.5)",
  ]);
});

Deno.test("loadConfig() reports an environment port that is unset or not a number", async () => {
  await expectIssues("env_port_missing.json", [
    'env_port_missing.json:7:61: workers[0].transports[0].endpoint.port: environment variable "NO_SUCH_PORT" is not set (the port is given as "$NO_SUCH_PORT")',
    'env_port_missing.json:8:61: workers[0].transports[1].endpoint.port: environment variable "BAD_PORT" is "http", which is not a port number (0 to 65535)',
  ], { BAD_PORT: "http" });
});

Deno.test("loadConfig() requires a port or a port range", async () => {
  await expectIssues("no_port.json", [
    'no_port.json:7:37: workers[0].transports[0].endpoint: neither "port" nor "portrange" is given (use "port": 0 for any free port)',
  ]);
});

Deno.test("loadConfig() reports a bad permission match", async () => {
  await expectIssues("bad_match.json", [
    'bad_match.json:10:79: workers[0].realms[0].roles[0].permissions[0].match: expected one of "exact", "prefix", "wildcard", found a string ("regex")',
  ]);
});

Deno.test("loadConfig() rejects a role with both authorizer and permissions", async () => {
  await expectIssues("authorizer_and_permissions.json", [
    'authorizer_and_permissions.json:10:13: workers[0].realms[0].roles[0]: a role cannot have both "authorizer" and "permissions"',
  ]);
});

Deno.test("loadConfig() rejects version 1 and other versions", async () => {
  await expectIssues("version_1.json", [
    "version_1.json:2:14: version: configuration version 1 is too old: version 2 is required",
  ]);
  await expectIssues("version_3.json", [
    "version_3.json:2:14: version: expected 2, found 3",
  ]);
});

Deno.test("loadConfig() says proxy workers are not supported yet", async () => {
  await expectIssues("proxy_worker.json", [
    'proxy_worker.json:5:14: workers[1].type: worker type "proxy" is not supported yet (supported: router, container, guest)',
  ]);
});

Deno.test("loadConfig() suggests the closest worker type", async () => {
  await expectIssues("unknown_worker_type.json", [
    'unknown_worker_type.json:4:14: workers[0].type: invalid worker type "routr" (valid types are: router, container, guest, proxy, websocket-testee); did you mean "router"?',
  ]);
});

Deno.test("loadConfig() says mqtt transports and twisted endpoints are not supported yet", async () => {
  await expectIssues("rawsocket.json", [
    'rawsocket.json:7:18: workers[0].transports[0].type: transport type "mqtt" is not supported yet (supported: web, websocket, rawsocket, universal)',
    'rawsocket.json:8:46: workers[0].transports[1].endpoint.type: endpoint type "twisted" is not supported yet (supported: tcp, unix)',
  ]);
});

Deno.test("loadConfig() rejects WebSocket millisecond options below 1000 and out-of-range sizes", async () => {
  await expectIssues("ws_ms_too_small.json", [
    'ws_ms_too_small.json:10:45: workers[0].transports[0].options.auto_ping_interval: "auto_ping_interval" is in milliseconds; 500 is too small',
    'ws_ms_too_small.json:10:76: workers[0].transports[0].options.open_handshake_timeout: "open_handshake_timeout" is in milliseconds; 999 is too small',
    "ws_ms_too_small.json:10:101: workers[0].transports[0].options.max_message_size: expected an integer from 1 to 67108864, found a number (0)",
    "ws_ms_too_small.json:10:122: workers[0].transports[0].options.auto_ping_size: expected an integer from 12 to 125, found a number (200)",
  ]);
});

Deno.test("loadConfig() rejects bad CIDR networks in require_ip", async () => {
  await expectIssues("bad_cidr.json", [
    'bad_cidr.json:14:56: workers[0].transports[0].paths.push.options.require_ip[1]: invalid network "10.0.0.0/33"',
    'bad_cidr.json:14:71: workers[0].transports[0].paths.push.options.require_ip[2]: invalid network "300.1.1.1"',
    'bad_cidr.json:14:84: workers[0].transports[0].paths.push.options.require_ip[3]: invalid network "fe80::/129"',
  ]);
});

Deno.test("loadConfig() rejects a realm the worker does not have", async () => {
  await expectIssues("unknown_realm.json", [
    'unknown_realm.json:12:52: workers[0].transports[0].paths.push.realm: realm "realm2" is not a realm of this worker (realms: realm1)',
    'unknown_realm.json:13:92: workers[0].transports[0].paths.app.wamp.realm: realm "relm1" is not a realm of this worker (realms: realm1)',
  ]);
});

Deno.test("loadConfig() rejects two transports on the same port", async () => {
  await expectIssues("port_clash.json", [
    "port_clash.json:8:67: workers[0].transports[1].endpoint.port: port 8080 is already used by workers[0].transports[0]",
  ]);
});

Deno.test("loadConfig() rejects two path keys that map the same URL path", async () => {
  await expectIssues("duplicate_path.json", [
    'duplicate_path.json:12:45: workers[0].transports[0].paths.a.paths.b: URL path "/a/b" is mapped twice (also by path key "a/b")',
  ]);
});

Deno.test("loadConfig() rejects unsupported auth methods and serializers at their position", async () => {
  await expectIssues("unsupported_auth.json", [
    'unsupported_auth.json:10:35: workers[0].transports[0].serializers[1]: serializer "ubjson" is not supported yet (supported: json, msgpack, cbor)',
    'unsupported_auth.json:10:45: workers[0].transports[0].serializers[2]: expected one of "json", "msgpack", "cbor", found a string ("xml")',
    "unsupported_auth.json:12:13: workers[0].transports[0].auth.scram: scram authentication is not supported yet",
    'unsupported_auth.json:13:32: workers[0].transports[0].auth.ticket.type: ticket authentication type "function" is not supported yet (supported: static, dynamic)',
    'unsupported_auth.json:14:24: workers[0].transports[0].auth.wampcra: missing required attribute "users"',
    'unsupported_auth.json:15:87: workers[0].transports[0].auth.cryptosign.principals.a.authorized_keys[0]: expected a public key of 64 hex characters, found a string ("abc")',
    'unsupported_auth.json:16:13: workers[0].transports[0].auth.password: unknown attribute "password" (allowed: anonymous, ticket, wampcra, cryptosign)',
  ]);
});

Deno.test("loadConfig() checks ids and realm names", async () => {
  await expectIssues("bad_id.json", [
    'bad_id.json:4:30: workers[0].id: invalid id "Router-1"',
    'bad_id.json:4:80: workers[0].realms[0].name: invalid realm name "x"',
  ]);
});

Deno.test("loadConfig() reports every problem at once, in document order", async () => {
  await expectIssues("multiple_errors.json", [
    'multiple_errors.json:6:33: workers[0].options.pythonpath: expected a list of strings, found a string ("..")',
    'multiple_errors.json:7:111: workers[0].realms[0].roles[0].permissions[0].allow.call: expected true or false, found a string ("yes")',
    "multiple_errors.json:11:47: workers[0].transports[0].endpoint.port: expected an integer from 0 to 65535, found a number (-1)",
    "multiple_errors.json:12:39: workers[0].transports[0].options.hsts_max_age: expected an integer of at least 0, found a number (-5)",
    'multiple_errors.json:12:43: workers[0].transports[0].options.gzip: unknown attribute "gzip"',
    'multiple_errors.json:14:18: workers[0].transports[0].paths["/"]: missing required attribute "directory"',
    'multiple_errors.json:15:18: workers[0].transports[0].paths.r: missing required attribute "url"',
    "multiple_errors.json:16:74: workers[0].transports[0].paths.j.options.prettify: expected true or false, found a number (1)",
  ]);
});

Deno.test("ConfigError carries each issue as data", async () => {
  const error = await expectIssues("bad_match.json", [
    "bad_match.json:10:79:",
  ]);
  assertEquals(error.issues[0], {
    file: `${INVALID}bad_match.json`,
    line: 10,
    column: 79,
    path: "workers[0].realms[0].roles[0].permissions[0].match",
    message:
      'expected one of "exact", "prefix", "wildcard", found a string ("regex")',
  });
});

Deno.test("loadConfig() rejects duplicate realm, role and socket names", async () => {
  await expectIssues("duplicate_names.json", [
    'duplicate_names.json:7:84: workers[0].realms[0].roles[2].name: role "user" is defined twice in this realm (also at roles[0])',
    'duplicate_names.json:8:18: workers[0].realms[1].name: realm "realm1" is defined twice (also at workers[0].realms[0])',
    'duplicate_names.json:12:68: workers[0].transports[1].endpoint.path: socket path "wamp.sock" is already used by workers[0].transports[0]',
  ]);
});

Deno.test("loadConfig() rejects __proto__ and constructor keys instead of skipping them", async () => {
  await expectIssues("proto_key.json", [
    'proto_key.json:3:3: __proto__: attribute name "__proto__" is not allowed anywhere in a config',
    'proto_key.json:5:24: workers[0].constructor: attribute name "constructor" is not allowed anywhere in a config',
    'proto_key.json:5:154: workers[0].realms[0].roles[0].permissions[0].allow.__proto__: attribute name "__proto__" is not allowed',
  ]);
  assertEquals(({} as Record<string, unknown>).workers, undefined);
});
