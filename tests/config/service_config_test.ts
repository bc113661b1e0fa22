/**
 * validateServiceConfig(): one path service given as a value gets the same
 * checks and defaults as in a loaded config.
 */
import { validateConfig, validateServiceConfig } from "../../lib/config/mod.ts";
import {
  assertEquals,
  assertStringIncludes,
  assertThrows,
} from "../_helpers/assert.ts";

Deno.test("validateServiceConfig() applies the schema's defaults as loadConfig() does", () => {
  const ws = validateServiceConfig({
    type: "websocket",
    options: { allow_null_origin: false },
  });
  const { config } = validateConfig({
    version: 2,
    workers: [{
      type: "router",
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 8080 },
        paths: {
          ws: { type: "websocket", options: { allow_null_origin: false } },
        },
      }],
    }],
  });
  const worker = config.workers[0];
  const transport = worker?.type === "router" ? worker.transports[0] : null;
  const loaded = transport?.type === "web" ? transport.paths.ws : null;
  assertEquals(ws, loaded);
  assertEquals(ws.options.allowed_origins, ["*"]);
  assertEquals(ws.options.allow_null_origin, false);
  assertEquals(ws.serializers, ["json", "msgpack", "cbor"]);
});

Deno.test("validateServiceConfig() names the service type, the key and what is wrong", () => {
  const error = assertThrows(
    () =>
      validateServiceConfig({
        type: "websocket",
        options: { allowed_origins: "*" as never },
      }),
    TypeError,
  );
  assertEquals(
    error.message,
    'Invalid websocket service config: options.allowed_origins: expected a list of strings, found a string ("*")',
  );
  const typo = assertThrows(
    () =>
      validateServiceConfig({
        type: "websocket",
        option: {},
      } as never),
    TypeError,
  );
  assertStringIncludes(typo.message, 'unknown attribute "option"');
});

Deno.test("validateServiceConfig() gives a wsgi path gunicorn's 30 s timeout by default", () => {
  const app = { type: "wsgi", module: "app.py", object: "app" } as const;
  assertEquals(validateServiceConfig(app).timeout, 30);
  assertEquals(validateServiceConfig({ ...app, timeout: 5 }).timeout, 5);
});
