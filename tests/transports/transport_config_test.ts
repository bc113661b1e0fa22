/**
 * Config checks of the rawsocket and universal transports and the longpoll
 * path: defaults, and clear messages for what cannot work.
 */
import { assertEquals, assertThrows } from "../_helpers/assert.ts";
import { ConfigError, validateConfig } from "../../lib/config/mod.ts";

function withTransport(transport: unknown) {
  return { version: 2, workers: [{ type: "router", transports: [transport] }] };
}

Deno.test("transport config: rawsocket and longpoll defaults are Crossbar's", () => {
  const { config } = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      transports: [
        { type: "rawsocket", endpoint: { type: "unix", path: "rs.sock" } },
        {
          type: "web",
          endpoint: { type: "tcp", port: 0 },
          paths: { lp: { type: "longpoll" } },
        },
      ],
    }],
  });
  const worker = config.workers[0] as unknown as {
    transports: [Record<string, unknown>, { paths: Record<string, unknown> }];
  };
  const rawsocket = worker.transports[0];
  assertEquals(rawsocket.serializers, ["json", "msgpack", "cbor"]);
  assertEquals(rawsocket.options, { max_message_size: 16777216 });
  assertEquals(rawsocket.debug, false);
  assertEquals(worker.transports[1].paths.lp, {
    type: "longpoll",
    options: {
      request_timeout: 10,
      session_timeout: 30,
      queue_limit_bytes: 131072,
      queue_limit_messages: 100,
      debug: false,
    },
  });
});

Deno.test("transport config: what cannot work is refused with the reason", () => {
  const cases: [unknown, string][] = [
    [
      {
        type: "rawsocket",
        endpoint: {
          type: "tcp",
          port: 1,
          tls: { key: "k", certificate: "c", ca_certificates: ["ca.pem"] },
        },
      },
      'workers[0].transports[0]: client certificates ("ca_certificates") are not supported on rawsocket transports yet',
    ],
    [
      {
        type: "universal",
        endpoint: { type: "tcp", port: 2 },
        websocket: { "a b": { type: "websocket" } },
      },
      'workers[0].transports[0].websocket["a b"]: invalid WebSocket path "a b"',
    ],
    [
      {
        type: "rawsocket",
        endpoint: { type: "tcp", port: 3 },
        options: { max_message_size: 64 * 1024 * 1024 },
      },
      "workers[0].transports[0].options.max_message_size: expected an integer from 512 to 16777216",
    ],
    [
      {
        type: "rawsocket",
        endpoint: { type: "tcp", port: 4 },
        serializers: ["ubjson"],
      },
      'workers[0].transports[0].serializers[0]: serializer "ubjson" is not supported yet',
    ],
    [
      { type: "universal", endpoint: { type: "tcp", port: 5 }, mqtt: {} },
      "workers[0].transports[0].mqtt: MQTT on a universal transport is not supported yet",
    ],
  ];
  for (const [transport, message] of cases) {
    assertThrows(
      () => validateConfig(withTransport(transport)),
      ConfigError,
      message,
    );
  }
});
