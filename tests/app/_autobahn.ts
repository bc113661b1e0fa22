/**
 * Just enough autobahn-js for the app API tests: open a session on a
 * node's `/ws` path and close it cleanly.
 */
import autobahn from "autobahn";

autobahn.log.warn = () => {};
autobahn.log.debug = () => {};

/** An autobahn-js session (untyped package). */
// deno-lint-ignore no-explicit-any
export type AbSession = any;

/** An open autobahn-js connection. */
export interface AbClient extends AsyncDisposable {
  readonly session: AbSession;
  close(): Promise<void>;
}

/** Opens a session on `url` (a `ws:` URL) in `realm`. */
export function autobahnOpen(url: string, realm = "realm1"): Promise<AbClient> {
  const closed = Promise.withResolvers<void>();
  return new Promise((resolve, reject) => {
    const connection = new autobahn.Connection({
      url,
      realm,
      max_retries: 0,
      retry_if_unreachable: false,
      on_user_error: () => {},
    });
    let isOpen = false;
    const close = async () => {
      if (connection.isOpen) connection.close();
      await closed.promise;
    };
    connection.onopen = (session: AbSession) => {
      isOpen = true;
      resolve({ session, close, [Symbol.asyncDispose]: close });
    };
    connection.onclose = (reason: string, details: unknown) => {
      closed.resolve();
      if (!isOpen) {
        reject(
          new Error(
            `autobahn could not open: ${reason} ${JSON.stringify(details)}`,
          ),
        );
      }
      return true;
    };
    connection.open();
  });
}

/** Node config: one web transport with the app at `/` and WAMP at `/ws`. */
export function nodeConfig(
  app: Record<string, unknown>,
): Record<string, unknown> {
  const all = { call: true, register: true, publish: true, subscribe: true };
  return {
    version: 2,
    workers: [{
      type: "router",
      realms: [{
        name: "realm1",
        roles: [
          {
            name: "anonymous",
            permissions: [{ uri: "", match: "prefix", allow: all }],
          },
          {
            name: "backend",
            permissions: [{ uri: "com.test.", match: "prefix", allow: all }],
          },
        ],
      }],
      transports: [{
        type: "web",
        endpoint: { type: "tcp", port: 0, interface: "127.0.0.1" },
        paths: {
          "/": { type: "wsgi", object: "default", ...app },
          "ws": { type: "websocket" },
        },
      }],
    }],
  };
}
