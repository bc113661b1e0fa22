/**
 * The `controller.cluster` config keys: defaults, and errors with their
 * file positions.
 */
import { ConfigError, parseConfig } from "../../lib/config/mod.ts";
import { assertEquals, assertThrows } from "../_helpers/assert.ts";

function configWith(cluster: string): string {
  return `{
  "version": 2,
  "controller": {
    "cluster": ${cluster}
  }
}`;
}

Deno.test("parseConfig() fills in the cluster defaults", () => {
  const { config } = parseConfig(configWith("{}"), "config.json");
  assertEquals(config.controller.cluster, {
    name: "crossbar",
    processes: 1,
    nats_server: "nats-server",
    heartbeat_interval: 500,
    failure_timeout: 2000,
    host_links: true,
  });
  const { config: withNats } = parseConfig(
    configWith(`{"name": "prod-1", "processes": 4,
      "nats": {"servers": ["nats://10.0.0.1:4222", "tls://[::1]:4222", "nats.local"],
               "user": "u", "password": "p"}}`),
    "config.json",
  );
  assertEquals(withNats.controller.cluster?.nats, {
    servers: ["nats://10.0.0.1:4222", "tls://[::1]:4222", "nats.local"],
    user: "u",
    password: "p",
  });
  assertEquals(withNats.controller.cluster?.processes, 4);
});

Deno.test("parseConfig() reports bad cluster keys with their positions", () => {
  const error = assertThrows(
    () =>
      parseConfig(
        configWith(`{
      "name": "no spaces",
      "processes": 0,
      "nats": {"servers": ["http://x:4222/path"], "tokn": "t"},
      "heartbeat_interval": 1000,
      "failure_timeout": 500
    }`),
        "config.json",
      ),
    ConfigError,
  );
  const lines = error.message.split("\n");
  assertEquals(lines, [
    "config.json:5:15: controller.cluster.name: expected a cluster name of 1 to 64 letters, digits, '_' or '-', found a string (\"no spaces\")",
    "config.json:6:20: controller.cluster.processes: expected an integer from 1 to 256, found a number (0)",
    'config.json:7:28: controller.cluster.nats.servers[0]: expected a NATS server URL like "nats://127.0.0.1:4222", found "http://x:4222/path"',
    lines[3]!,
  ]);
  assertEquals(
    lines[3]!.startsWith("config.json:7:51: controller.cluster.nats.tokn:"),
    true,
    lines[3],
  );
});

Deno.test("parseConfig() requires a failure timeout longer than the heartbeat", () => {
  const error = assertThrows(
    () =>
      parseConfig(
        configWith(`{"heartbeat_interval": 1000, "failure_timeout": 500}`),
        "config.json",
      ),
    ConfigError,
  );
  assertEquals(
    error.message,
    'config.json:4:16: controller.cluster: "failure_timeout" must be longer than "heartbeat_interval"',
  );
});

Deno.test("parseConfig() refuses an empty NATS server list", () => {
  const error = assertThrows(
    () => parseConfig(configWith(`{"nats": {"servers": []}}`), "config.json"),
    ConfigError,
  );
  assertEquals(
    error.message,
    "config.json:4:37: controller.cluster.nats.servers: expected at least one NATS server",
  );
});

Deno.test("parseConfig() takes NATS TLS files and reports bad ones with positions", () => {
  const { config } = parseConfig(
    configWith(`{"nats": {"servers": ["tls://10.0.0.1:4222"],
      "tls": {"ca_certificates": ["nats/ca.pem"], "certificate": "nats/node.pem",
              "key": "nats/node.key"}}}`),
    "config.json",
  );
  assertEquals(config.controller.cluster?.nats?.tls, {
    ca_certificates: ["nats/ca.pem"],
    certificate: "nats/node.pem",
    key: "nats/node.key",
  });
  const error = assertThrows(
    () =>
      parseConfig(
        configWith(`{"nats": {"servers": ["tls://h:4222"],
      "tls": {"certificate": "c.pem", "ca_certificates": [], "kee": "k"}}}`),
        "config.json",
      ),
    ConfigError,
  );
  const lines = error.message.split("\n");
  assertEquals(
    lines[0],
    "config.json:5:58: controller.cluster.nats.tls.ca_certificates: expected at least one file path",
  );
  assertEquals(
    lines[1]!.startsWith("config.json:5:62: controller.cluster.nats.tls.kee:"),
    true,
    lines[1],
  );
  const half = assertThrows(
    () =>
      parseConfig(
        configWith(`{"nats": {"servers": ["h"], "tls": {"key": "k.pem"}}}`),
        "config.json",
      ),
    ConfigError,
  );
  assertEquals(
    half.message,
    'config.json:4:51: controller.cluster.nats.tls: give both "certificate" and "key" (a client certificate needs its key), or neither',
  );
});
