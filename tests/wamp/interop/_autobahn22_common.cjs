// What the autobahn-js 22 Node scripts share: loading autobahn from DIR,
// opening and closing a connection as autobahn's docs do (realm1, no
// reconnect), one JSON line per report, and the exit status of a run.
"use strict";

/** autobahn 22 from `${dir}/node_modules/autobahn`, plus the helpers. */
function load(dir) {
  const autobahn = require(`${dir}/node_modules/autobahn`);
  autobahn.log.warn = () => {};

  function open(options) {
    return new Promise((resolve, reject) => {
      const connection = new autobahn.Connection({
        realm: "realm1",
        max_retries: 0,
        retry_if_unreachable: false,
        ...options,
      });
      connection.onopen = (session, details) =>
        resolve({ connection, session, details });
      connection.onclose = (reason, details) => {
        reject(new Error(`closed: ${reason} ${JSON.stringify(details)}`));
        return true; // no reconnect
      };
      connection.open();
    });
  }

  function close({ connection }) {
    return new Promise((resolve) => {
      connection.onclose = () => {
        resolve();
        return true;
      };
      connection.close();
    });
  }

  return { autobahn, open, close };
}

function report(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

/** Exits 0 when `running` resolves, 1 (stack on stderr) when it rejects. */
function finish(running) {
  running.then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(String(error && error.stack || error) + "\n");
      process.exit(1);
    },
  );
}

module.exports = { load, report, finish };
