/**
 * A `require` for the browser build of autobahn-js, evaluated before it.
 * The build leaves out autobahn's binary serializers (msgpack5 and cbor
 * pull in Node streams and buffers), so the page speaks JSON: requiring
 * msgpack5 gives a factory that throws (autobahn then offers no msgpack),
 * cbor an empty module, and `fs` (Node-only tracing) an empty module.
 * autobahn also reads Node's `global`, here the window.
 *
 * @module
 */

const MODULES: Record<string, unknown> = {
  msgpack5: () => {
    throw new Error("msgpack is not part of this browser build");
  },
  cbor: {},
  "node:fs": {},
};

const scope = globalThis as {
  require?: (name: string) => unknown;
  global?: unknown;
};
scope.global ??= globalThis;
scope.require ??= (name: string): unknown => {
  if (name in MODULES) return MODULES[name];
  throw new Error(`Module "${name}" is not part of this browser build`);
};
