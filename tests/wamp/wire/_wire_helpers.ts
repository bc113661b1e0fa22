/**
 * Helpers for over-the-wire WAMP tests: a router behind the websocket path
 * service on a loopback server, real autobahn-js sessions, and a raw
 * WebSocket client for protocol-violation tests.
 */
import autobahn from "autobahn";
import { createRouter, type Router } from "../../../lib/wamp/router.ts";
import type { RealmConfig } from "../../../lib/wamp/realm.ts";
import { createWebSocketService } from "../../../lib/web/services/websocket_service.ts";
import {
  type ServiceConfigInputOf,
  validateServiceConfig,
} from "../../../lib/config/mod.ts";
import {
  createLogger,
  type Logger,
  SILENT_LOGGER,
} from "../../../lib/log/logger.ts";
import { serveService } from "../../_helpers/serve_service.ts";
import { codecForSubprotocol, CODECS } from "../../../lib/wamp/codecs/mod.ts";
import type { WampMessage } from "../../../lib/wamp/transport.ts";

// The binary codecs load their libraries on first use; these tests use them
// directly.
await Promise.all(CODECS.map((codec) => codec.load()));

// autobahn-js warns on every close through console.warn; keep test output clean.
autobahn.log.warn = () => {};

/** Generous limit for anything a test waits on. */
export const WAIT_MS = 10_000;

/** A permission allowing every action on every URI. */
export const ALLOW_ALL = {
  uri: "",
  match: "prefix" as const,
  allow: { call: true, register: true, publish: true, subscribe: true },
  disclose: { caller: true, publisher: true },
};

/** The seed config's realm: `realm1`, role `anonymous` may do everything. */
export const REALM1: RealmConfig = {
  name: "realm1",
  roles: [{ name: "anonymous", permissions: [ALLOW_ALL] }],
};

/** Silent unless WIRE_TEST_LOG names a level (e.g. `debug`) when debugging. */
const TEST_LOGGER: Logger = Deno.env.get("WIRE_TEST_LOG")
  ? createLogger({ level: Deno.env.get("WIRE_TEST_LOG") as "debug" })
  : SILENT_LOGGER;

/** A running router behind a websocket path at `/ws`. */
export interface WampServer extends AsyncDisposable {
  /** `ws://127.0.0.1:<port>/ws` */
  readonly url: string;
  /** `http://127.0.0.1:<port>/ws` */
  readonly httpUrl: string;
  readonly router: Router;
  close(): Promise<void>;
}

/** Starts a router with `realms` and mounts a websocket service at `/ws`. */
export function startWampServer(
  config: ServiceConfigInputOf<"websocket"> = { type: "websocket" },
  realms: RealmConfig[] = [REALM1],
): WampServer {
  // Dynamic authenticators call the router, so auth methods come from the
  // service's own default (createAuthMethods over this router).
  const router = createRouter({ realms, logger: TEST_LOGGER });
  const service = createWebSocketService(validateServiceConfig(config), {
    router,
    logger: TEST_LOGGER,
  });
  const served = serveService(service, { prefix: "/ws" });
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      await router.close();
      await served.close();
    })();
  return {
    url: served.url.replace("http:", "ws:") + "/ws",
    httpUrl: served.url + "/ws",
    router,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Rejects after `ms` with `what` in the message. */
export function within<T>(
  promise: Promise<T>,
  what: string,
  ms = WAIT_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${ms} ms: ${what}`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// deno-lint-ignore no-explicit-any -- autobahn-js ships no types
export type AbSession = any;

/** Options for {@link autobahnConnect}. */
export interface AutobahnOptions {
  serializer?: "json" | "msgpack" | "cbor";
  realm?: string;
  authmethods?: string[];
  authid?: string;
  authextra?: Record<string, unknown>;
  onchallenge?: (
    session: unknown,
    method: string,
    extra: Record<string, unknown>,
  ) => unknown;
}

/** An open autobahn-js session. */
export interface AutobahnClient extends AsyncDisposable {
  readonly session: AbSession;
  /** WELCOME details (authid, authrole, authmethod, authprovider, …). */
  readonly welcome: Record<string, unknown>;
  /** Resolves with autobahn's close reason once the connection is gone. */
  readonly closed: Promise<
    { reason: string; details: Record<string, unknown> }
  >;
  /** Leaves (GOODBYE) and waits for the close. */
  close(): Promise<void>;
}

/** Why autobahn-js could not open a session. */
export class AutobahnRefused extends Error {
  constructor(
    readonly reason: string,
    readonly details: Record<string, unknown>,
  ) {
    super(`autobahn connection refused: ${reason} ${JSON.stringify(details)}`);
    this.name = "AutobahnRefused";
  }
}

function serializerFor(name: "json" | "msgpack" | "cbor") {
  if (name === "msgpack") return new autobahn.serializer.MsgpackSerializer();
  if (name === "cbor") return new autobahn.serializer.CBORSerializer();
  return new autobahn.serializer.JSONSerializer();
}

/**
 * A deferred for autobahn-js: a native promise whose progressive results
 * (`receive_progress`) go to the promise's `onprogress` property.
 */
function progressDeferred() {
  const d: Record<string, unknown> = {};
  const promise = new Promise((resolve, reject) => {
    d.resolve = resolve;
    d.reject = reject;
  }) as Promise<unknown> & { onprogress?: (value: unknown) => void };
  d.promise = promise;
  d.notify = (value: unknown) => promise.onprogress?.(value);
  return d;
}

/** Opens an autobahn-js session; rejects with {@link AutobahnRefused}. */
export function autobahnConnect(
  url: string,
  options: AutobahnOptions = {},
): Promise<AutobahnClient> {
  const { promise: closed, resolve: onClosed } = Promise.withResolvers<
    { reason: string; details: Record<string, unknown> }
  >();
  const opened = new Promise<AutobahnClient>((resolve, reject) => {
    const connection = new autobahn.Connection({
      url,
      realm: options.realm ?? "realm1",
      serializers: [serializerFor(options.serializer ?? "json")],
      max_retries: 0,
      retry_if_unreachable: false,
      use_deferred: progressDeferred,
      // errors thrown on purpose by test handlers become WAMP ERRORs anyway
      on_user_error: () => {},
      ...(options.authmethods ? { authmethods: options.authmethods } : {}),
      ...(options.authid ? { authid: options.authid } : {}),
      ...(options.authextra ? { authextra: options.authextra } : {}),
      ...(options.onchallenge ? { onchallenge: options.onchallenge } : {}),
    });
    let isOpen = false;
    connection.onopen = (
      session: AbSession,
      welcome: Record<string, unknown>,
    ) => {
      isOpen = true;
      const close = async () => {
        if (connection.isOpen) connection.close();
        await within(closed, "autobahn close");
      };
      resolve({
        session,
        welcome,
        closed,
        close,
        [Symbol.asyncDispose]: close,
      });
    };
    connection.onclose = (reason: string, details: Record<string, unknown>) => {
      onClosed({ reason, details });
      // autobahn reports an ABORT as "closed" with the URI in details.reason
      const uri = typeof details?.reason === "string" ? details.reason : reason;
      if (!isOpen) reject(new AutobahnRefused(uri, details));
      return true; // no reconnect
    };
    connection.open();
  });
  return within(opened, `autobahn connect to ${url}`);
}

/** Resolves on the next call of the returned `fn`, with its arguments. */
export function nextCall<A extends unknown[]>(): {
  fn: (...args: A) => void;
  next: () => Promise<A>;
} {
  const queue: A[] = [];
  const waiters: ((a: A) => void)[] = [];
  return {
    fn: (...args: A) => {
      const waiter = waiters.shift();
      if (waiter) waiter(args);
      else queue.push(args);
    },
    next: () => {
      const item = queue.shift();
      if (item !== undefined) return Promise.resolve(item);
      return within(new Promise<A>((r) => waiters.push(r)), "next call");
    },
  };
}

/** A raw WebSocket speaking one WAMP subprotocol, for violation tests. */
export class RawWampClient implements AsyncDisposable {
  readonly socket: WebSocket;
  readonly closed: Promise<CloseEvent>;
  #queue: WampMessage[] = [];
  #waiters: ((m: WampMessage) => void)[] = [];

  private constructor(socket: WebSocket, subprotocol: string) {
    this.socket = socket;
    socket.binaryType = "arraybuffer";
    const codec = codecForSubprotocol(subprotocol);
    this.closed = new Promise((resolve) => socket.onclose = resolve);
    socket.onmessage = (e) => {
      const data = typeof e.data === "string" ? e.data : new Uint8Array(e.data);
      for (const message of codec!.decodeBatch(data)) {
        const waiter = this.#waiters.shift();
        if (waiter) waiter(message);
        else this.#queue.push(message);
      }
    };
  }

  /** Connects with `subprotocol` (e.g. `wamp.2.json`). */
  static async open(url: string, subprotocol: string): Promise<RawWampClient> {
    const socket = new WebSocket(url, subprotocol);
    const client = new RawWampClient(socket, subprotocol);
    await within(
      new Promise<void>((resolve, reject) => {
        socket.onopen = () => resolve();
        socket.onerror = () => reject(new Error("raw WebSocket failed"));
      }),
      "raw WebSocket open",
    );
    return client;
  }

  /** Opens and joins `realm1` anonymously; resolves with WELCOME. */
  static async joined(
    url: string,
    subprotocol = "wamp.2.json",
  ): Promise<{ client: RawWampClient; welcome: WampMessage }> {
    const client = await RawWampClient.open(url, subprotocol);
    client.send([1, "realm1", {
      roles: {
        subscriber: {},
        publisher: {},
        caller: { features: { call_canceling: true } },
        callee: { features: { call_canceling: true } },
      },
    }]);
    const welcome = await client.next();
    if (welcome[0] !== 2) {
      throw new Error(`expected WELCOME, got ${JSON.stringify(welcome)}`);
    }
    return { client, welcome };
  }

  /** Sends a message encoded with the socket's codec. */
  send(message: WampMessage): void {
    const codec = codecForSubprotocol(this.socket.protocol)!;
    this.socket.send(codec.encode(message));
  }

  /** Sends a raw frame. */
  sendRaw(frame: string | Uint8Array): void {
    this.socket.send(frame);
  }

  /** The next received message. */
  next(): Promise<WampMessage> {
    const item = this.#queue.shift();
    if (item !== undefined) return Promise.resolve(item);
    return within(
      new Promise((r) => this.#waiters.push(r)),
      "next WAMP message",
    );
  }

  /** Closes and waits for the close. */
  async close(): Promise<void> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close();
    await within(this.closed, "raw WebSocket close");
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
