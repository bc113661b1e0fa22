/**
 * `check` and `start` catch every realm and role a config names that does
 * not exist — all of them at once, each with its place in the config.
 */
import { assert } from "../_helpers/assert.ts";
import { ConfigError, validateConfig } from "../../lib/config/mod.ts";

Deno.test("validateConfig() reports every unknown role and realm named by paths and auth", () => {
  const config = {
    version: 2,
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        roles: [{ name: "frontend", permissions: [] }],
      }],
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0 },
        paths: {
          "/": {
            type: "wsgi",
            module: "app",
            object: "app",
            wamp: { realm: "realm1", role: "backend" },
          },
          call: { type: "caller", realm: "realm1", role: "caller" },
          ws: {
            type: "websocket",
            auth: {
              anonymous: { type: "static" },
              ticket: {
                type: "static",
                principals: {
                  alice: { ticket: "x", role: "admin" },
                  bob: { ticket: "y", role: "frontend", realm: "realm9" },
                  carol: { ticket: "z", role: "frontend", realm: "realm1" },
                },
              },
              wampcra: {
                type: "dynamic",
                authenticator: "com.example.auth",
                "authenticator-realm": "auth",
              },
            },
          },
        },
      }],
    }],
  };
  let message = "";
  try {
    validateConfig(config, { env: {} });
  } catch (error) {
    assert(error instanceof ConfigError, String(error));
    message = error.message;
  }
  for (
    const expected of [
      'paths["/"].wamp.role: role "backend" is not a role of realm "realm1" (roles: frontend)',
      'paths.call.role: role "caller" is not a role of realm "realm1"',
      'auth.anonymous.role: role "anonymous" is not a role of any realm of this worker',
      'principals.alice.role: role "admin" is not a role of any realm',
      'principals.bob.realm: realm "realm9" is not a realm of this worker',
      'wampcra["authenticator-realm"]: realm "auth" is not a realm of this worker',
    ]
  ) {
    assert(message.includes(expected), `missing ${expected} in:\n${message}`);
  }
  assert(!message.includes("carol"), message);
});
