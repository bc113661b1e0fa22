// autobahn-js 22 on Node (npm `autobahn@22`, over `ws`) against our router.
//
//   node _autobahn22_node.cjs checks URL DIR   one JSON line per check
//   node _autobahn22_node.cjs caller URL DIR   calls com.interop.py.greet
//
// DIR holds node_modules/autobahn. Connections are made as autobahn's docs
// make them: `new autobahn.Connection({url, realm})`, no `serializers`
// option (autobahn then offers its default list, comma-joined by `ws`).
"use strict";

const [mode, url, dir] = process.argv.slice(2);
const { load, report, finish } = require("./_autobahn22_common.cjs");
const { autobahn, open: openAt, close } = load(dir);

function open(options = {}) {
  return openAt({ url, ...options });
}

function signCra(password) {
  return (_session, method, extra) => {
    if (method !== "wampcra") throw new Error(`unexpected ${method}`);
    const key = extra.salt === undefined ? password : autobahn.auth_cra
      .derive_key(password, extra.salt, extra.iterations, extra.keylen);
    return autobahn.auth_cra.sign(key, extra.challenge);
  };
}

async function checks() {
  const a = await open();
  const b = await open();
  const protocol = a.connection.transport.info.protocol;
  await a.session.register("com.interop.js.echo", (args) => args);
  const echoed = await b.session.call("com.interop.js.echo", [
    2 ** 53 - 1,
    "x",
  ]);
  let gotEvent;
  const event = new Promise((resolve) => (gotEvent = resolve));
  await a.session.subscribe("com.interop.js.topic", (args) => gotEvent(args));
  await b.session.publish("com.interop.js.topic", ["hi"], {}, {
    acknowledge: true,
  });
  report({
    check: "basic",
    protocol,
    session_id: a.session.id,
    echoed,
    event: await event,
    roles: a.details.roles,
  });

  // Disclosure follows the role: anonymous discloses, sally's "frontend"
  // does not, whatever disclose_me asks.
  await a.session.register(
    "com.interop.js.who",
    (_args, _kwargs, details) => details.caller ?? null,
  );
  const sally = await open({
    authmethods: ["wampcra"],
    authid: "sally",
    onchallenge: signCra("secret1"),
  });
  report({
    check: "disclose",
    anonymous: await b.session.call("com.interop.js.who", [], {}, {
      disclose_me: true,
    }),
    anonymous_id: b.session.id,
    sally: await sally.session.call("com.interop.js.who", [], {}, {
      disclose_me: true,
    }),
    sally_role: sally.details.authrole,
  });
  await close(sally);
  await close(a);
  await close(b);
}

async function caller() {
  const c = await open();
  const greeting = await c.session.call("com.interop.py.greet", ["node"]);
  report({
    check: "cross",
    greeting,
    protocol: c.connection.transport.info.protocol,
  });
  await close(c);
}

finish(mode === "checks" ? checks() : caller());
