// autobahn-js 22 on Node (npm `autobahn@22`) against our router, with each
// serializer named explicitly and over its Node `rawsocket` transport.
//
//   node _autobahn22_node_transports.cjs serializers WS_URL DIR
//       one JSON line per serializer autobahn 22 ships (json, msgpack, cbor)
//   node _autobahn22_node_transports.cjs rawsocket PORT DIR
//       one JSON line for a RawSocket session (tcp, 127.0.0.1:PORT), then
//       one for a RawSocket session asked for msgpack
//   node _autobahn22_node_transports.cjs refused PORT DIR
//       one JSON line: how a RawSocket connection to a msgpack-only
//       transport ends
//   node _autobahn22_node_transports.cjs cross PORT DIR
//       RawSocket session: subscribes com.interop.cross.news, prints
//       {"ready":...}, prints the first event, then calls
//       com.interop.py.greet and prints the result
//
// DIR holds node_modules/autobahn. Connections are built as autobahn's docs
// build them; only `serializers` (WebSocket) or `transports` (RawSocket)
// differ from the defaults.
"use strict";

const [mode, target, dir] = process.argv.slice(2);
const { load, report, finish } = require("./_autobahn22_common.cjs");
const { autobahn, open, close } = load(dir);
const BIG = 2 ** 53 - 1;

function rawsocket(port) {
  return { type: "rawsocket", host: "127.0.0.1", port: Number(port) };
}

/** Register+call, subscribe+publish between two sessions; one report. */
async function exercise(name, a, b, binary) {
  const procedure = `com.interop.js22.${name}.echo`;
  const topic = `com.interop.js22.${name}.topic`;
  await a.session.register(procedure, (args) => args);
  const values = [BIG, -BIG, 2 ** 32, 1.5, "x"];
  if (binary) values.push(Buffer.from([0, 1, 255]));
  const echoed = await b.session.call(procedure, values);
  let gotEvent;
  const event = new Promise((resolve) => (gotEvent = resolve));
  await a.session.subscribe(topic, (args) => gotEvent(args));
  const publication = await b.session.publish(topic, [BIG, "hi"], {}, {
    acknowledge: true,
  });
  const meta = await b.session.call("wamp.session.get", [a.session.id]);
  return {
    check: name,
    protocol: a.connection.transport.info.protocol,
    session_id: a.session.id,
    publication_id: publication.id,
    echoed: echoed.map((v) => Buffer.isBuffer(v) ? { bytes: [...v] } : v),
    echoed_types: echoed.map((v) => Buffer.isBuffer(v) ? "buffer" : typeof v),
    event: await event,
    // What the router's meta API says of a's transport.
    router_transport: {
      type: meta.transport.type,
      serializer: meta.transport.serializer,
      protocol: meta.transport.protocol ?? null,
    },
  };
}

async function serializers(url) {
  const { serializer } = autobahn;
  const offers = [
    ["json", serializer.JSONSerializer],
    ["msgpack", serializer.MsgpackSerializer],
    ["cbor", serializer.CBORSerializer],
  ];
  for (const [name, Serializer] of offers) {
    if (Serializer === undefined) {
      report({ check: name, missing: true });
      continue;
    }
    const options = { url, serializers: [new Serializer()] };
    const a = await open(options);
    const b = await open(options);
    report(await exercise(name, a, b, name !== "json"));
    await close(a);
    await close(b);
  }
}

async function rawsocketChecks(port) {
  const a = await open({ transports: [rawsocket(port)] });
  const b = await open({ transports: [rawsocket(port)] });
  report(await exercise("rawsocket_json", a, b, false));
  await close(a);
  await close(b);
  // autobahn 22's Node RawSocket transport ignores `serializers`: it
  // always handshakes JSON (lib/transport/rawsocket.js knows only json).
  const asked = await open({
    transports: [{
      ...rawsocket(port),
      serializers: [new autobahn.serializer.MsgpackSerializer()],
    }],
  });
  const meta = await asked.session.call("wamp.session.get", [
    asked.session.id,
  ]);
  report({
    check: "rawsocket_msgpack_asked",
    protocol: asked.connection.transport.info.protocol,
    router_serializer: meta.transport.serializer,
  });
  await close(asked);
}

async function refused(port) {
  // The transport logs the handshake error at debug level only.
  const transportErrors = [];
  autobahn.log.debug = (what, error) => {
    if (what === "RawSocket transport error") {
      transportErrors.push(String(error && error.message));
    }
  };
  try {
    const c = await open({ transports: [rawsocket(port)] });
    report({ check: "refused", joined: true });
    await close(c);
  } catch (error) {
    report({
      check: "refused",
      joined: false,
      error: String(error.message),
      transport_errors: transportErrors,
    });
  }
}

async function cross(port) {
  const c = await open({ transports: [rawsocket(port)] });
  let gotEvent;
  const event = new Promise((resolve) => (gotEvent = resolve));
  await c.session.subscribe(
    "com.interop.cross.news",
    (args, kwargs, details) =>
      gotEvent({ args, kwargs, publisher: details.publisher ?? null }),
  );
  report({
    ready: true,
    session: c.session.id,
    protocol: c.connection.transport.info.protocol,
  });
  report({ check: "event", ...(await event) });
  const greeting = await c.session.call("com.interop.py.greet", ["rawsocket"]);
  report({ check: "call", greeting });
  await close(c);
}

const modes = {
  serializers,
  rawsocket: rawsocketChecks,
  refused,
  cross,
};
finish(modes[mode](target));
