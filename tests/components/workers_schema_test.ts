import { assertEquals, assertThrows } from "../_helpers/assert.ts";
import { ConfigError, validateConfig } from "../../lib/config/mod.ts";

function issues(config: unknown): string[] {
  const error = assertThrows(() => validateConfig(config), ConfigError);
  return error.issues.map((i) => `${i.path}: ${i.message}`);
}

Deno.test("validateConfig() fills the defaults of container and guest workers", () => {
  const { config } = validateConfig({
    version: 2,
    workers: [
      {
        type: "container",
        components: [{
          type: "class",
          classname: "a.B",
          realm: "realm1",
          transport: {
            type: "websocket",
            endpoint: { type: "tcp", host: "127.0.0.1", port: 8080 },
          },
        }],
      },
      { type: "guest", executable: "python3" },
    ],
  });
  const [container, guest] = config.workers;
  if (container?.type !== "container" || guest?.type !== "guest") {
    throw new Error("wrong worker types");
  }
  assertEquals(container.options.shutdown, "shutdown-manual");
  assertEquals(container.options.restart, "restart-never");
  assertEquals(container.components[0]!.restart.policy, "never");
  assertEquals(guest.arguments, []);
  assertEquals(guest.options.stdin, "close");
  assertEquals(guest.options.stdout, "log");
  assertEquals(guest.options.restart, {
    policy: "never",
    delay: 1,
    max_delay: 30,
  });
  assertEquals(guest.options.stop_timeout, 5);
});

Deno.test("validateConfig() says what is wrong in components and guest workers, where", () => {
  const found = issues({
    version: 2,
    workers: [
      {
        type: "router",
        components: [{ type: "class", realm: "realm1" }],
      },
      {
        type: "container",
        components: [{ type: "class", classname: "a.B", realm: "realm1" }],
      },
      {
        type: "guest",
        executable: "x",
        options: {
          stdin: "open",
          stdout: "print",
          restart: { policy: "sometimes" },
        },
      },
      { type: "proxy" },
    ],
  });
  assertEquals(found, [
    'workers[0].components[0]: missing required attribute "classname"',
    'workers[1].components[0]: missing required attribute "transport"',
    'workers[2].options.stdin: expected "close" or {"type": "json", "value": …}, found a string ("open")',
    'workers[2].options.stdout: expected one of "log", "close", "drop", found a string ("print")',
    'workers[2].options.restart.policy: expected one of "never", "always", "on-failure", found a string ("sometimes")',
    'workers[3].type: worker type "proxy" is not supported yet (supported: router, container, guest)',
  ]);
});
