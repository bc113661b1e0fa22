/**
 * Runs one TypeScript component in its own sandboxed Web Worker and keeps
 * it running. Lifecycle of a run:
 *
 * 1. A Web Worker (`component_worker.ts`) with the component's Deno
 *    permissions (default: read its own folder) is created, and its WAMP
 *    channel opened (`_links.ts`: this node's router in-process, or a
 *    WebSocket client to another router).
 * 2. The worker imports the module, joins and runs `onJoin` (or the
 *    function); `ready` ends the start.
 * 3. The run ends when the component throws, rejects, exits, leaves, or
 *    its channel closes: the end is logged with the stack, the worker is
 *    terminated and the channel closed, so the session leaves and its
 *    registrations and subscriptions go with the usual meta events.
 * 4. Under the restart policy the component starts again after the
 *    backoff delay (doubled after each run that ended quickly).
 *
 * @module
 */
import { dirname } from "node:path";
import { buildWorkerPermissions } from "../apphost/mod.ts";
import type { AppPermissions } from "../apphost/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ComponentLink } from "./_links.ts";
import type { ComponentInit, ComponentReport } from "./_protocol.ts";

/** When a component is started again (ours; Crossbar has `restart-always`). */
export interface RestartPolicy {
  /** `never`, `always`, or `on-failure` (a throw, crash or non-zero exit). */
  readonly policy: "never" | "always" | "on-failure";
  /** First delay in seconds. */
  readonly delay: number;
  /** Longest delay in seconds. */
  readonly "max_delay": number;
}

/** What a runner needs to know about its component. */
export interface ComponentSpec {
  /** For messages: `component "backend.AppSession" (workers[0].components[0])`. */
  readonly label: string;
  /** The module to import and the export. */
  readonly specifier: string;
  /** The module's file, for the default read permission. */
  readonly path: string | undefined;
  /** The export (class or function). */
  readonly exportName: string;
  /** The configured classname. */
  readonly classname: string;
  /** Realm, extra (with cbdir), cbdir, id. */
  readonly config: ComponentInit["config"];
  /** Grants on top of reading the module's folder. */
  readonly permissions: AppPermissions;
  /** Restart policy. */
  readonly restart: RestartPolicy;
  /** Opens the WAMP channel of one run. */
  readonly connect: () => Promise<ComponentLink>;
  /** Where the component's life is logged. */
  readonly logger: Logger;
  /**
   * Whether a first run that fails before ready is restarted too (container
   * components); otherwise only `start()` rejects (router components).
   * @default false
   */
  readonly restartFirst?: boolean;
  /** Told about every end of a run (not on `close()`). */
  readonly onEnd?: (end: { failed: boolean; restarting: boolean }) => void;
}

/** A component failed before it was ready. */
export class ComponentStartError extends Error {
  /** Where it failed: `load`, `check`, `join` or `run`. */
  readonly phase: string;

  /**
   * @param message What failed, naming the component.
   * @param phase The phase.
   * @param stack The component's stack trace, if any.
   */
  constructor(message: string, phase: string, stack?: string) {
    super(message);
    this.name = "ComponentStartError";
    this.phase = phase;
    if (stack !== undefined) this.stack = `${this.name}: ${message}\n${stack}`;
  }
}

type RunEnd = { failed: boolean; description: string };

/** One supervised component. */
export class ComponentRunner {
  readonly #spec: ComponentSpec;
  #worker: Worker | undefined;
  #link: ComponentLink | undefined;
  #closed = false;
  #delay: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #runs = 0;
  #stopped: (() => void) | undefined;

  /** @param spec The component. */
  constructor(spec: ComponentSpec) {
    this.#spec = spec;
    this.#delay = spec.restart.delay;
  }

  /** How many times the component has been started. */
  get runs(): number {
    return this.#runs;
  }

  /**
   * Starts the component and resolves once it is ready (joined, `onJoin`
   * done). Later ends are handled by the restart policy.
   *
   * @throws {ComponentStartError} When the first run fails before ready.
   */
  start(): Promise<void> {
    return this.#run(true);
  }

  #run(first: boolean): Promise<void> {
    const spec = this.#spec;
    this.#runs++;
    const startedAt = Date.now();
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      let ended = false;
      const end = (info: RunEnd) => {
        if (ended) return;
        ended = true;
        this.#teardown();
        if (!ready) {
          const error = new ComponentStartError(
            `${spec.label} failed to start: ${info.description}`,
            "start",
          );
          if (first) {
            reject(error);
            if (!spec.restartFirst) return;
          } else spec.logger.error(error.message);
        } else if (!this.#closed) {
          const log = info.failed ? spec.logger.error : spec.logger.warn;
          log.call(spec.logger, `${spec.label} ended: ${info.description}`);
        }
        if (this.#closed) return;
        const restarting = this.#maybeRestart(info.failed, startedAt);
        spec.onEnd?.({ failed: info.failed, restarting });
      };
      const worker = this.#worker = new Worker(
        new URL("./component_worker.ts", import.meta.url),
        {
          type: "module",
          name: spec.config.id,
          deno: {
            permissions: buildWorkerPermissions({
              cbdir: spec.config.cbdir,
              appDir: spec.path === undefined ? undefined : dirname(spec.path),
              permissions: spec.permissions,
            }),
          },
        },
      );
      worker.onerror = (event) => {
        event.preventDefault();
        end({ failed: true, description: `uncaught ${event.message}` });
      };
      worker.onmessage = (event: MessageEvent) => {
        const report = event.data as ComponentReport;
        if (report.t === "ready") {
          ready = true;
          spec.logger.info(`${spec.label} joined realm "${spec.config.realm}"`);
          resolve();
        } else if (report.t === "failed") {
          end({
            failed: true,
            description: `${
              report.phase === "join" ? "onJoin" : report.phase
            } threw: ${report.stack ?? report.message}`,
          });
        } else if (report.t === "exit") {
          end({
            failed: report.code !== 0,
            description: `the component exited with code ${report.code}`,
          });
        } else if (report.t === "left") {
          end({
            failed: false,
            description: `session left (${report.reason})`,
          });
        } else if (report.t === "stopped") {
          this.#stopped?.();
        }
      };
      spec.connect().then((link) => {
        if (ended || this.#closed) return link.close();
        this.#link = link;
        link.closed.then(() =>
          end({ failed: true, description: "its WAMP connection closed" })
        );
        const init: ComponentInit = {
          t: "init",
          specifier: spec.specifier,
          exportName: spec.exportName,
          classname: spec.classname,
          config: spec.config,
          port: link.port,
          authmethods: link.authmethods,
          check: false,
        };
        worker.postMessage(init, [link.port]);
      }, (error: unknown) =>
        end({
          failed: true,
          description: error instanceof Error ? error.message : String(error),
        }));
    });
  }

  #teardown(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
    this.#link?.close();
    this.#link = undefined;
  }

  #maybeRestart(failed: boolean, startedAt: number): boolean {
    const { policy, "max_delay": maxDelay } = this.#spec.restart;
    if (policy === "never" || (policy === "on-failure" && !failed)) {
      return false;
    }
    // A run that lasted well beyond the delay starts the backoff afresh.
    if (Date.now() - startedAt > 10 * this.#delay * 1000) {
      this.#delay = this.#spec.restart.delay;
    }
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, maxDelay);
    this.#spec.logger.info(
      `${this.#spec.label}: restarting in ${delay} s (run ${this.#runs + 1})`,
    );
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed) this.#run(false).catch(() => {});
    }, delay * 1000);
    return true;
  }

  /**
   * Stops the component: `onLeave` (or the cleanup) runs, the session
   * leaves, the worker ends. Idempotent.
   *
   * @param graceMs How long `onLeave` may take.
   */
  async close(graceMs = 2_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const worker = this.#worker;
    if (worker !== undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          this.#stopped = resolve;
          worker.postMessage({ t: "stop" });
        }),
        new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs)),
      ]);
      clearTimeout(timer);
    }
    this.#teardown();
  }
}
