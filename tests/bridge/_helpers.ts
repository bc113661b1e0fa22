/**
 * Test bench for the bridge: a real router, a websocket path service for
 * autobahn-js clients and the bridge services, all on one loopback
 * Deno.serve with a tiny first-segment prefix switch.
 */
import autobahn from "autobahn";
import {
  type ServiceConfigInputOf,
  validateServiceConfig,
} from "../../lib/config/mod.ts";
import type {
  CallerServiceConfig,
  PublisherServiceConfig,
  WebhookServiceConfig,
} from "../../lib/config/mod.ts";
import { createRouter, type Router } from "../../lib/wamp/mod.ts";
import type { RealmConfig } from "../../lib/wamp/mod.ts";
import { createWebSocketService } from "../../lib/web/services/websocket_service.ts";
import type { PathService, ServeContext } from "../../lib/web/path_service.ts";
import { SILENT_LOGGER } from "../../lib/log/logger.ts";
import type { BridgeEnv } from "../../lib/bridge/mod.ts";

/**
 * The test realm: `anonymous` may do all, `reader` may only subscribe and
 * call, `nobody` may do nothing.
 */
export const REALMS: RealmConfig[] = [{
  name: "realm1",
  roles: [
    {
      name: "anonymous",
      permissions: [{
        uri: "",
        match: "prefix",
        allow: { call: true, register: true, publish: true, subscribe: true },
      }],
    },
    {
      name: "reader",
      permissions: [{
        uri: "",
        match: "prefix",
        allow: { call: true, subscribe: true },
      }],
    },
    { name: "nobody", permissions: [] },
  ],
}];

type Dict = Record<string, unknown>;

/** The part of an autobahn-js session the tests use (autobahn has no types). */
export interface AbSession {
  subscribe(
    topic: string,
    handler: (args?: unknown[], kwargs?: Dict) => void,
  ): Promise<unknown>;
  register(
    procedure: string,
    handler: (args?: unknown[], kwargs?: Dict) => unknown,
  ): Promise<unknown>;
}

interface AbConnection {
  onopen: (session: AbSession) => void;
  onclose: (reason: string) => boolean;
  readonly isOpen: boolean;
  open(): void;
  close(): void;
}

/** A running bench; dispose with `await using`. */
export interface Bench extends AsyncDisposable {
  readonly url: string;
  readonly router: Router;
  /** Opens an autobahn-js session on realm1 over the websocket path. */
  connect(): Promise<AbSession>;
}

/** Options of {@link startBench}. */
export interface BenchOptions {
  /** Makes the bridge services, keyed by first path segment. */
  services: (env: BridgeEnv) => Record<string, PathService>;
  /** Override what the services see (client address, TLS). */
  context?: Partial<Pick<ServeContext, "secure" | "remoteAddr">>;
}

/**
 * Starts router, websocket service at `/ws` and the bridge services.
 *
 * @param options The services to mount.
 * @returns The bench.
 */
export function startBench(options: BenchOptions): Bench {
  const router = createRouter({ realms: REALMS, logger: SILENT_LOGGER });
  const env: BridgeEnv = { cbdir: ".", logger: SILENT_LOGGER, router };
  const services: Record<string, PathService> = {
    ws: createWebSocketService(validateServiceConfig({ type: "websocket" }), {
      router,
      logger: SILENT_LOGGER,
    }),
    ...options.services(env),
  };
  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    signal: controller.signal,
  }, (request, info) => {
    const url = new URL(request.url);
    const [, first = "", ...rest] = url.pathname.split("/");
    const service = services[first];
    if (service === undefined) return new Response("nope", { status: 404 });
    return service.handle(request, {
      prefix: `/${first}`,
      rest: `/${rest.join("/")}`,
      search: url.search,
      remoteAddr: info.remoteAddr,
      secure: false,
      signal: request.signal,
      ...options.context,
    });
  });
  const port = (server.addr as Deno.NetAddr).port;
  const connections: AbConnection[] = [];
  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      await Promise.all(connections.map(closeConnection));
      for (const service of Object.values(services)) {
        await service.close(Date.now() + 1000);
      }
      await router.close();
      controller.abort();
      await server.finished;
    })();
  return {
    url: `http://127.0.0.1:${port}`,
    router,
    connect: () => {
      const connection: AbConnection = new autobahn.Connection({
        url: `ws://127.0.0.1:${port}/ws`,
        realm: "realm1",
        max_retries: 0,
      });
      connections.push(connection);
      return new Promise((resolve, reject) => {
        connection.onopen = (session) => resolve(session);
        connection.onclose = (reason) => {
          reject(new Error(`autobahn connection closed: ${reason}`));
          return true;
        };
        connection.open();
      });
    },
    [Symbol.asyncDispose]: close,
  };
}

function closeConnection(connection: AbConnection): Promise<void> {
  if (!connection.isOpen) return Promise.resolve();
  return new Promise((resolve) => {
    connection.onclose = () => {
      resolve();
      return true;
    };
    connection.close();
  });
}

/** A `publisher` entry as the config schema outputs it (defaults filled). */
export function publisherConfig(
  input: ServiceConfigInputOf<"publisher">,
): PublisherServiceConfig {
  return validateServiceConfig(input);
}

/** A `caller` entry as the config schema outputs it (defaults filled). */
export function callerConfig(
  input: ServiceConfigInputOf<"caller">,
): CallerServiceConfig {
  return validateServiceConfig(input);
}

/** A `webhook` entry as the config schema outputs it (defaults filled). */
export function webhookConfig(
  input: ServiceConfigInputOf<"webhook">,
): WebhookServiceConfig {
  return validateServiceConfig(input);
}

/** `publisher`/`caller` options as a config writes them. */
export type BridgeOptionsInput = NonNullable<
  ServiceConfigInputOf<"publisher">["options"]
>;

/** `webhook` options as a config writes them. */
export type WebhookOptionsInput = ServiceConfigInputOf<"webhook">["options"];

/** POSTs JSON (or raw text) and returns status, headers and parsed body. */
export async function post(
  url: string,
  body: unknown,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const headers = new Headers(init.headers);
  if (!headers.has("content-type")) {
    headers.set("content-type", "application/json");
  }
  const response = await fetch(url, {
    method: "POST",
    body: typeof body === "string" || body instanceof Uint8Array
      ? body as BodyInit
      : JSON.stringify(body),
    ...init,
    headers,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** An event as autobahn-js delivers it. */
export interface AbEvent {
  args: unknown[];
  kwargs: Dict;
}

/**
 * Subscribes `session` to `topic`; the returned promise (once subscribed)
 * holds the next event.
 */
export async function subscribeOnce(
  session: AbSession,
  topic: string,
): Promise<{ event: Promise<AbEvent> }> {
  const { promise, resolve } = Promise.withResolvers<AbEvent>();
  await session.subscribe(topic, (args, kwargs) => {
    resolve({ args: args ?? [], kwargs: kwargs ?? {} });
  });
  return { event: promise };
}
