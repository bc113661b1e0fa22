/**
 * Shared setup for the app host tests: host a fixture app from
 * `tests/testdata/apps/` at a prefix on a loopback server.
 */
import { fileURLToPath } from "node:url";
import * as v from "valibot";
import { createLogger } from "../../lib/log/mod.ts";
import { createWsgiService } from "../../lib/apphost/mod.ts";
import type { WsgiServiceOptions } from "../../lib/apphost/mod.ts";
import type { PathService } from "../../lib/web/path_service.ts";
import { WsgiServiceSchema } from "../../lib/config/_schema/wsgi.ts";
import { serveService } from "../_helpers/serve_service.ts";

/** Folder of the fixture apps. */
export const APPS_DIR = fileURLToPath(
  new URL("../testdata/apps", import.meta.url),
);
/** A node directory next to the fixture apps (pythonpath `..` finds them). */
export const CBDIR = `${APPS_DIR}/.crossbar`;

/** A hosted fixture app; dispose it with `await using`. */
export interface HostedApp extends AsyncDisposable {
  /** Base URL including the prefix, e.g. `http://127.0.0.1:4000/app`. */
  url: string;
  /** Server origin without prefix. */
  origin: string;
  /** Log lines written by the service. */
  lines: string[];
  service: PathService;
}

/**
 * A wsgi path's config keys as a user writes them (the schema's input),
 * plus the node-side options of the service; all optional.
 */
export type WsgiTestOptions =
  & Partial<Omit<v.InferInput<typeof WsgiServiceSchema>, "type">>
  & Partial<
    Pick<
      WsgiServiceOptions,
      "path" | "cbdir" | "pythonpath" | "display_tracebacks"
    >
  >;

/**
 * Service options the way the node builds them: the config keys run
 * through the wsgi schema (so its defaults apply), then the node's keys.
 */
export function wsgiOptions(options: WsgiTestOptions = {}): WsgiServiceOptions {
  const {
    path = "/app",
    cbdir = CBDIR,
    pythonpath = [".."],
    display_tracebacks = false,
    ...config
  } = options;
  return {
    ...v.parse(WsgiServiceSchema, {
      type: "wsgi",
      module: "kitchen",
      object: "handler",
      ...config,
    }),
    path,
    cbdir,
    pythonpath,
    display_tracebacks,
  };
}

/** Options of {@link hostApp}: service options plus the mount prefix. */
export type HostOptions = WsgiTestOptions & { prefix?: string };

/** Hosts `kitchen.ts` (or `options.module`) at `options.prefix` ("/app"). */
export async function hostApp(options: HostOptions = {}): Promise<HostedApp> {
  const { prefix = "/app", ...rest } = options;
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", write: (l) => lines.push(l) });
  const service = await createWsgiService(
    wsgiOptions({ path: prefix === "" ? "/" : prefix, ...rest }),
    { logger },
  );
  const served = serveService(service, { prefix });
  return {
    url: served.url + prefix,
    origin: served.url,
    lines,
    service,
    [Symbol.asyncDispose]: () => served.close(),
  };
}

/** Base options for calling `createWsgiService` directly. */
export function baseOptions(extra: WsgiTestOptions = {}): WsgiServiceOptions {
  return wsgiOptions(extra);
}

/** Fetches `url` and returns status and text. */
export async function get(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url, init);
  return {
    status: response.status,
    text: await response.text(),
    headers: response.headers,
  };
}

/** Polls `check` until it returns true (generous timeout, no tight timing). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
