/**
 * The `static` path service: files from a folder below the cbdir.
 *
 * Behaviour beyond Crossbar's (decided here, documented for users):
 * - A folder requested without a trailing slash answers 301 to the slash
 *   form; a folder serves its `index.html`, else a listing when
 *   `enable_directory_listing` is on, else 404.
 * - Hidden names (a segment starting with `.`, except `.well-known`) are
 *   never served and never listed: 404.
 * - Anything that could leave the folder (`..`, encoded `/` or `\`, NUL,
 *   symlinks resolving outside) is 404, never the file.
 * - `default_file` (the SPA fallback) answers paths that do not exist, not
 *   refused ones.
 *
 * @module
 */
import { basename, resolve } from "node:path";
import type { StaticServiceConfig } from "../../config/mod.ts";
import type { PathService, ServeContext } from "../path_service.ts";
import type { ServiceEnv } from "./service_env.ts";
import {
  isReadMethod,
  methodNotAllowed,
  notFound,
  READ_METHODS,
  setCorsHeaders,
} from "./_static_http.ts";
import { createMimeLookup } from "./_mime_types.ts";
import {
  lazyRealRoot,
  type Resolved,
  resolveInside,
  splitSafePath,
} from "./_static_path.ts";
import { renderListing } from "./_static_listing.ts";
import { serveFile } from "./_static_serve.ts";

/**
 * Creates a `static` service serving `config.directory` (relative to
 * `env.cbdir`).
 *
 * @param config The validated service config.
 * @param env The node environment.
 * @returns The path service.
 * @throws {TypeError} When `directory` is missing or the unsupported
 * `package`/`resource` form is used.
 * @example Serve `../web` next to `.crossbar/`
 * ```ts ignore
 * import { createStaticService } from "./static.ts";
 * import { createLogger } from "../../log/logger.ts";
 * const service = createStaticService(
 *   {
 *     type: "static",
 *     directory: "../web",
 *     options: {
 *       enable_directory_listing: false,
 *       mime_types: {},
 *       cache_timeout: 60,
 *     },
 *   },
 *   { cbdir: "/srv/app/.crossbar", logger: createLogger() },
 * );
 * ```
 */
export function createStaticService(
  config: StaticServiceConfig,
  env: ServiceEnv,
): PathService {
  // The schema refuses these already; a config built in code may not.
  const python = config as { package?: unknown; resource?: unknown };
  if (python.package !== undefined || python.resource !== undefined) {
    throw new TypeError(
      'Cannot create the static service: the "package"/"resource" form is Python-only, use "directory"',
    );
  }
  if (typeof config.directory !== "string") {
    throw new TypeError(
      'Cannot create the static service: "directory" is required',
    );
  }
  return new StaticService(resolve(env.cbdir, config.directory), config, env);
}

class StaticService implements PathService {
  readonly type = "static";
  #realRoot: () => Promise<string>;
  #directory: string;
  #listing: boolean;
  #mime: (name: string) => string;
  #cacheTimeout: number | null;
  #defaultFile: string | undefined;
  #logger: ServiceEnv["logger"];

  constructor(directory: string, config: StaticServiceConfig, env: ServiceEnv) {
    const options = config.options;
    this.#directory = directory;
    this.#realRoot = lazyRealRoot(directory);
    this.#listing = options.enable_directory_listing;
    this.#mime = createMimeLookup(options.mime_types);
    this.#cacheTimeout = options.cache_timeout;
    this.#defaultFile = options.default_file;
    this.#logger = env.logger;
  }

  async handle(request: Request, context: ServeContext): Promise<Response> {
    const headers = new Headers();
    setCorsHeaders(headers, request);
    if (!isReadMethod(request.method)) {
      return methodNotAllowed(READ_METHODS, headers);
    }
    const safe = splitSafePath(context.rest);
    if (safe === undefined) return notFound(headers);
    let root: string;
    try {
      root = await this.#realRoot();
    } catch (error) {
      this.#logger.warn(
        `Cannot serve static folder "${this.#directory}": ${String(error)}`,
      );
      return notFound(headers);
    }
    const found = await resolveInside(root, safe.segments);
    if (found.kind === "outside") return notFound(headers);
    if (found.kind === "missing") {
      return await this.#fallback(request, root, headers);
    }
    if (found.info.isFile) {
      if (safe.trailingSlash) return notFound(headers);
      const name = safe.segments.at(-1) ?? basename(found.path);
      return await this.#file(request, root, found, name, headers);
    }
    if (!found.info.isDirectory) return notFound(headers);
    if (!safe.trailingSlash) {
      const location = `${context.prefix}${context.rest}/${context.search}`;
      headers.set("location", location);
      return new Response(null, { status: 301, headers });
    }
    const index = await resolveInside(root, [...safe.segments, "index.html"]);
    if (index.kind === "found" && index.info.isFile) {
      return await this.#file(request, root, index, "index.html", headers);
    }
    if (!this.#listing) return notFound(headers);
    const urlPath = `${context.prefix}/${safe.segments.join("/")}`;
    const html = await renderListing(found.path, urlPath);
    headers.set("content-type", "text/html; charset=utf-8");
    headers.set("cache-control", "no-cache");
    const body = request.method === "HEAD" ? null : html;
    return new Response(body, { headers });
  }

  async #fallback(
    request: Request,
    root: string,
    headers: Headers,
  ): Promise<Response> {
    if (this.#defaultFile === undefined) return notFound(headers);
    const safe = splitSafePath(`/${this.#defaultFile}`);
    const found = safe && await resolveInside(root, safe.segments);
    if (found?.kind !== "found" || !found.info.isFile) {
      this.#logger.warn(
        `Static default_file "${this.#defaultFile}" is not a file in "${this.#directory}"`,
      );
      return notFound(headers);
    }
    return await this.#file(request, root, found, this.#defaultFile, headers);
  }

  #file(
    request: Request,
    root: string,
    found: Extract<Resolved, { kind: "found" }>,
    name: string,
    headers: Headers,
  ): Promise<Response> {
    return serveFile(request, {
      root,
      path: found.path,
      info: found.info,
      contentType: this.#mime(name),
      cacheTimeout: this.#cacheTimeout,
      headers,
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
