/**
 * WAMP components (router `components`, `"type": "container"` workers) and
 * `"type": "guest"` workers (Crossbar §6), plus our `restart` and
 * `permissions` extensions.
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
  seconds,
  str,
  strict,
  strList,
  text,
  unsupported,
} from "./common.ts";
import { WsgiPermissionsSchema } from "./wsgi.ts";

/** Backoff of an opt-in restart policy (our extension). */
const RestartSchema = strict({
  /** When to start it again. @default "never" */
  policy: v.optional(oneOf(["never", "always", "on-failure"]), "never"),
  /** First delay in seconds, doubled after each quick failure. @default 1 */
  delay: v.optional(seconds(), 1),
  /** Longest delay in seconds. @default 30 */
  max_delay: v.optional(seconds(), 30),
}, "an object (a restart policy)");

/** The endpoint a component's client transport connects to. */
const ClientEndpointSchema = byType({
  tcp: strict({
    type: v.literal("tcp"),
    host: str(),
    port: int(1, 65535),
    version: v.exactOptional(oneOf([4, 6])),
    timeout: v.exactOptional(seconds()),
    tls: v.exactOptional(v.unknown()),
  }, "an object (a tcp endpoint)"),
  unix: strict({
    type: v.literal("unix"),
    path: str(),
    timeout: v.exactOptional(seconds()),
  }, "an object (a unix endpoint)"),
}, { kind: "endpoint" });

/** The transport a container component connects over. */
export const ClientTransportSchema = strict({
  type: oneOf(["websocket", "rawsocket"]),
  endpoint: ClientEndpointSchema,
  /** WebSocket URL (`ws://host:port/path`). */
  url: v.exactOptional(str()),
  serializer: v.exactOptional(str()),
  serializers: v.exactOptional(strList()),
  /** Transport options (`max_message_size`, …; accepted). */
  options: v.exactOptional(dict(v.unknown())),
}, "an object (a client transport)");

const CommonComponentEntries = {
  id: v.exactOptional(id()),
  /** The realm the component joins. */
  realm: str(),
  /** Free-form data handed to the component (with `cbdir` added). */
  extra: v.exactOptional(v.unknown()),
  /** Deno permissions of the component's worker (our extension). */
  permissions: v.optional(WsgiPermissionsSchema, {}),
  /** Restart the component when it fails or ends (our extension). */
  restart: v.optional(RestartSchema, {}),
  references: unsupported("component references are not supported yet"),
};

function componentSchema<
  T extends
    | v.GenericSchema<unknown>
    | v.ExactOptionalSchema<v.GenericSchema<unknown>, undefined>,
>(transport: T, defaultRole: string) {
  /** The role of its session on this node's router. */
  const role = v.optional(str(), defaultRole);
  return byType({
    /** A `"type": "class"` component: an exported class or function. */
    class: strict({
      type: v.literal("class"),
      /** `module.Export` (TypeScript) or `package.module.Class` (Python). */
      classname: text(),
      transport,
      role,
      ...CommonComponentEntries,
    }, "an object (a component)"),
    /** A `"type": "function"` component: its `join` callback is the component. */
    function: strict({
      type: v.literal("function"),
      callbacks: strict({
        join: text(),
        leave: v.exactOptional(text()),
        connect: v.exactOptional(text()),
        disconnect: v.exactOptional(text()),
      }, "an object (component callbacks)"),
      transport,
      role,
      ...CommonComponentEntries,
    }, "an object (a component)"),
  }, { kind: "component" });
}

/**
 * A component of a router worker (joins in-process; no `transport`); its
 * `role` defaults to `"trusted"`.
 */
export const RouterComponentSchema = componentSchema(
  v.exactOptional(ClientTransportSchema),
  "trusted",
);

/**
 * A component of a container worker (connects over `transport`); its
 * `role`, used when it joins this node's own router, defaults to
 * `"anonymous"`.
 */
export const ContainerComponentSchema = componentSchema(
  ClientTransportSchema,
  "anonymous",
);

const EnvSchema = strict({
  /** The node's variables passed on: all, none or the listed. @default true */
  inherit: v.optional(
    v.union([bool(), strList()], expected("true, false or a list of names")),
    true,
  ),
  /** Variables set on top. @default {} */
  vars: v.optional(dict(str()), () => ({})),
}, "an object (environment settings)");

/** A container worker: components that connect to a router. */
export const ContainerWorkerSchema = strict({
  type: v.literal("container"),
  id: v.exactOptional(id()),
  options: v.optional(
    strict({
      /** Folders where component modules are looked up. @default [] */
      pythonpath: v.optional(strList(), () => []),
      env: v.exactOptional(EnvSchema),
      title: v.exactOptional(str()),
      /** When the container stops. @default "shutdown-manual" */
      shutdown: v.optional(
        oneOf([
          "shutdown-manual",
          "shutdown-on-last-component-stopped",
          "shutdown-on-any-component-failed",
          "shutdown-on-any-component-stopped",
        ]),
        "shutdown-manual",
      ),
      /** Restarting components that stop. @default "restart-never" */
      restart: v.optional(
        oneOf(["restart-never", "restart-always", "restart-on-failed"]),
        "restart-never",
      ),
      expose_controller: v.exactOptional(bool()),
      expose_shared: v.exactOptional(bool()),
      reactor: v.exactOptional(v.unknown()),
      cpu_affinity: v.exactOptional(v.array(int(0), expected("a list"))),
      disabled: v.optional(bool(), false),
    }, "an object (container options)"),
    {},
  ),
  components: v.optional(
    v.array(ContainerComponentSchema, expected("a list of components")),
    () => [],
  ),
  connections: unsupported("container connections are not supported yet"),
}, "an object (a container worker)");

const OutputSchema = v.optional(oneOf(["log", "close", "drop"]), "log");

/** A guest worker: any program, started and stopped with the node. */
export const GuestWorkerSchema = strict({
  type: v.literal("guest"),
  id: v.exactOptional(id()),
  /** The program: a file in `options.workdir`, else looked up on PATH. */
  executable: text(),
  arguments: v.optional(strList(), () => []),
  options: v.optional(
    strict({
      /** Working directory, relative to the node directory. @default "." */
      workdir: v.optional(str(), "."),
      /** Environment. @default the node's whole environment */
      env: v.optional(EnvSchema, {}),
      /** `close`, or a JSON value written to stdin. @default "close" */
      stdin: v.optional(
        v.union([
          v.literal("close"),
          strict({
            type: v.literal("json"),
            value: v.unknown(),
            close: v.optional(bool(), true),
          }, "an object (a stdin value)"),
        ], expected('"close" or {"type": "json", "value": …}')),
        "close",
      ),
      stdout: OutputSchema,
      stderr: OutputSchema,
      /** Restart the program when files change. */
      watch: v.exactOptional(strict({
        directories: strList(),
        action: v.optional(v.literal("restart"), "restart"),
        timeout: v.optional(seconds(), 1),
      }, "an object (watch settings)")),
      /** Restart after an exit (our extension; Crossbar has none). */
      restart: v.optional(RestartSchema, {}),
      /** Seconds between SIGTERM and SIGKILL on shutdown. @default 5 */
      stop_timeout: v.optional(seconds(), 5),
      title: v.exactOptional(str()),
      disabled: v.optional(bool(), false),
    }, "an object (guest options)"),
    {},
  ),
}, "an object (a guest worker)");
