/**
 * The `cgi` path service: runs `processor <script>` for scripts in a folder
 * below the cbdir, per CGI/1.1 (RFC 3875).
 *
 * 1. The rest of the path is split safely (no `..`, encoded separators,
 *    NUL or hidden names: 404). Walking it from the left, the first segment
 *    that is a file is the script; the segments after it are `PATH_INFO`.
 *    A folder, a missing file, or a symlink leaving the folder is 404.
 * 2. The process runs in the script's folder with only the CGI variables
 *    and `PATH` as environment; the request body is streamed to stdin.
 * 3. The head (`Status`, `Location`, `Content-Type`, …) is read off stdout,
 *    then the rest of stdout is streamed to the client. No or malformed
 *    head → 500 (logged). stderr lines are logged at warn.
 * 4. A client that goes away, or `close()` past its deadline, kills the
 *    process group.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import type { CgiServiceConfig } from "../../config/schema.ts";
import type { PathService, ServeContext } from "../path_service.ts";
import type { ServiceEnv } from "./service_env.ts";
import { notFound, plainResponse } from "./_static_http.ts";
import { isInside, lazyRealRoot, splitSafePath } from "./_static_path.ts";
import { buildCgiEnv } from "./_cgi_env.ts";
import { CgiOutputError, readCgiHead } from "./_cgi_output.ts";
import { findScript, logLines } from "./_cgi_script.ts";
import { withCleanup } from "./_proxy_stream.ts";

const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** `SERVER_SOFTWARE` for CGI scripts. */
export const CGI_SERVER_SOFTWARE = "crossbar-deno";

/**
 * Creates a `cgi` service.
 *
 * @param config The validated service config.
 * @param env The node environment.
 * @returns The path service.
 * @throws {TypeError} When `directory` or `processor` is missing.
 * @example Run Python scripts from `../cgi-bin`
 * ```ts ignore
 * import { createCgiService } from "./cgi.ts";
 * import { createLogger } from "../../log/logger.ts";
 * const service = createCgiService(
 *   { type: "cgi", directory: "../cgi-bin", processor: "/usr/bin/python3" },
 *   { cbdir: "/srv/app/.crossbar", logger: createLogger() },
 * );
 * ```
 */
export function createCgiService(
  config: CgiServiceConfig,
  env: ServiceEnv,
): PathService {
  for (const key of ["directory", "processor"] as const) {
    if (typeof config[key] !== "string" || config[key] === "") {
      throw new TypeError(
        `Cannot create the cgi service: "${key}" is required`,
      );
    }
  }
  return new CgiService(config, env);
}

class CgiService implements PathService {
  readonly type = "cgi";
  #directory: string;
  #processor: string;
  #realRoot: () => Promise<string>;
  #logger: ServiceEnv["logger"];
  #running = new Set<Deno.ChildProcess>();

  constructor(config: CgiServiceConfig, env: ServiceEnv) {
    this.#directory = resolve(env.cbdir, config.directory);
    this.#processor = config.processor;
    this.#realRoot = lazyRealRoot(this.#directory);
    this.#logger = env.logger;
  }

  async handle(request: Request, context: ServeContext): Promise<Response> {
    const safe = splitSafePath(context.rest);
    if (safe === undefined) return notFound();
    let root: string;
    try {
      root = await this.#realRoot();
    } catch (error) {
      this.#logger.warn(
        `Cannot serve CGI folder "${this.#directory}": ${String(error)}`,
      );
      return notFound();
    }
    const script = await findScript(root, safe.segments);
    if (script === undefined || !isInside(root, script.path)) return notFound();
    const slash = safe.trailingSlash ? "/" : "";
    const pathInfo = script.pathInfo.length === 0
      ? slash
      : `/${script.pathInfo.join("/")}${slash}`;
    const scriptName = `${context.prefix}/${script.segments.join("/")}`;
    const env = buildCgiEnv(request, context, {
      scriptName,
      pathInfo,
      scriptFilename: script.path,
      documentRoot: root,
      serverSoftware: CGI_SERVER_SOFTWARE,
    });
    return await this.#run(request, context, script.path, scriptName, env);
  }

  async #run(
    request: Request,
    context: ServeContext,
    path: string,
    scriptName: string,
    env: Record<string, string>,
  ): Promise<Response> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(this.#processor, {
        args: [path],
        cwd: dirname(path),
        env,
        clearEnv: true,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        detached: true,
      }).spawn();
    } catch (error) {
      this.#logger.error(
        `CGI ${scriptName}: cannot start "${this.#processor}": ${
          String(error)
        }`,
      );
      return plainResponse(500, undefined);
    }
    this.#running.add(child);
    let running = true;
    const kill = () => {
      if (running) killGroup(child);
    };
    context.signal.addEventListener("abort", kill, { once: true });
    const exited = child.status.then((status) => {
      running = false;
      this.#running.delete(child);
      context.signal.removeEventListener("abort", kill);
      return status;
    });
    const stdinDone = request.body
      ? request.body.pipeTo(child.stdin).catch(() => {})
      : child.stdin.close().catch(() => {});
    const stderrDone = logLines(
      child.stderr,
      (line) => this.#logger.warn(`CGI ${scriptName}: ${line}`),
    );
    try {
      const head = await readCgiHead(child.stdout);
      exited.then((status) => {
        if (!status.success && status.signal === null) {
          this.#logger.warn(`CGI ${scriptName} exited with ${status.code}`);
        }
      });
      if (NULL_BODY_STATUSES.has(head.status)) {
        await head.body.cancel();
        return new Response(null, head);
      }
      return new Response(withCleanup(head.body, kill), head);
    } catch (error) {
      if (!(error instanceof CgiOutputError)) throw error;
      kill();
      const status = await exited;
      await Promise.all([stdinDone, stderrDone]);
      this.#logger.error(
        `CGI ${scriptName} failed (exit ${status.code}): ${error.message}`,
      );
      return plainResponse(500, undefined);
    }
  }

  async close(deadline = Date.now()): Promise<void> {
    while (this.#running.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const left = [...this.#running];
    for (const child of left) killGroup(child);
    await Promise.all(left.map((child) => child.status));
  }
}

/** Kills the process group of a detached child (script and its children). */
function killGroup(child: Deno.ChildProcess): void {
  try {
    Deno.kill(-child.pid, "SIGKILL");
  } catch {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
