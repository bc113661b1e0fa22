/**
 * A component whose classname resolves to a Python module (an autobahn
 * `ApplicationSession` subclass), run unchanged by autobahn-python's own
 * runner (`autobahn.asyncio.component`, `lib/pyhost/python/
 * crossbar_component.py`) in a bubblewrap sandbox. Lifecycle:
 *
 * 1. For a component of this node, the node opens a private RawSocket
 *    listener (`lib/wamp/rawsocket/`) on a unix socket in a fresh folder
 *    (mode 0700) whose anonymous sessions get the component's realm, role
 *    and authid; the Python process connects to it (JSON serializer),
 *    as Crossbar's own worker processes do. A container component with
 *    another router's `transport` connects there itself, with the network
 *    shared.
 * 2. `crossbar-component: ready` on stdout (printed after `onJoin`
 *    finished) ends the start; an exit before it (an import error, a
 *    failing `onJoin`) fails it with the traceback's last lines.
 * 3. A later exit is logged and, under the restart policy, the process
 *    starts again after the backoff.
 * 4. `close()`: SIGTERM to the sandbox, the listener closes.
 *
 * @module
 */
import { anonymousAuthMethod } from "../wamp/auth/anonymous.ts";
import { JSON_CODEC } from "../wamp/codecs/mod.ts";
import { SERIALIZER_IDS } from "../wamp/rawsocket/handshake.ts";
import { serveRawSocket } from "../wamp/rawsocket/rawsocket_transport.ts";
import type { Router } from "../wamp/router.ts";
import type { Logger } from "../log/mod.ts";
import type { PythonModule } from "../pyhost/mod.ts";
import { forEachLine } from "../pyhost/_lines.ts";
import {
  HELPER_DIR,
  nodeSecrets,
  PYTHON,
  sandboxCommand,
} from "../pyhost/mod.ts";
import { ComponentStartError, type RestartPolicy } from "./component_runner.ts";

const READY_LINE = "crossbar-component: ready";
const TAIL_LINES = 20;

/** A container component's client transport, as configured. */
export interface PythonClientTransport {
  readonly type: string;
  readonly url?: string | undefined;
  readonly endpoint: {
    readonly type: string;
    readonly host?: string;
    readonly port?: number;
    readonly path?: string;
  };
}

/** What a Python component runner needs. */
export interface PythonComponentSpec {
  /** For messages. */
  readonly label: string;
  /** The module holding the class. */
  readonly module: PythonModule;
  /** The `ApplicationSession` subclass. */
  readonly className: string;
  /** Realm, extra, cbdir, id. */
  readonly config: {
    realm: string;
    extra: unknown;
    cbdir: string;
    id: string;
  };
  /** The role its session gets on this node's router. */
  readonly role: string;
  /** Restart policy. */
  readonly restart: RestartPolicy;
  /** This node's router, when the component attaches to it. */
  readonly router: Router | undefined;
  /** The configured client transport (container components). */
  readonly transport: PythonClientTransport | undefined;
  /** Where output goes. */
  readonly logger: Logger;
  /** Restart a first run that fails before ready too. @default false */
  readonly restartFirst?: boolean;
  /** Told about every end of a run (not on `close()`). */
  readonly onEnd?: (end: { failed: boolean; restarting: boolean }) => void;
}

/** Runs a Python component in a sandboxed Python process. */
export class PythonComponentRunner {
  readonly #spec: PythonComponentSpec;
  #dir: string | undefined;
  #listener: Deno.UnixListener | undefined;
  #child: Deno.ChildProcess | undefined;
  #closed = false;
  #delay: number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param spec The component. */
  constructor(spec: PythonComponentSpec) {
    this.#spec = spec;
    this.#delay = spec.restart.delay;
  }

  /**
   * Starts the component and resolves once its `onJoin` finished.
   *
   * @throws {ComponentStartError} When the process ends before that.
   */
  async start(): Promise<void> {
    this.#dir = await Deno.makeTempDir({ prefix: "crossbar-component-" });
    const transport = this.#spec.router !== undefined
      ? this.#listen(this.#spec.router)
      : clientTransport(this.#spec.transport);
    await this.#run(transport, true);
  }

  #listen(router: Router): Record<string, unknown> {
    const path = `${this.#dir}/wamp.sock`;
    const spec = this.#spec;
    const listener = this.#listener = Deno.listen({ transport: "unix", path });
    // Every session on this private socket gets the component's identity.
    const authMethods = new Map([[
      "anonymous",
      anonymousAuthMethod({
        role: spec.role,
        authid: spec.config.id,
        realm: spec.config.realm,
      }),
    ]]);
    const codecs = new Map([[SERIALIZER_IDS.json!, JSON_CODEC]]);
    void (async () => {
      try {
        for await (const conn of listener) {
          void serveRawSocket(conn, {
            codecs,
            maxMessageSize: 16 * 1024 * 1024,
            peer: `unix:${path}`,
            secure: false,
            logger: spec.logger,
            attach: (transport) => router.attach(transport, { authMethods }),
          });
        }
      } catch {
        // The listener was closed.
      }
    })();
    return {
      type: "rawsocket",
      url: "rs://localhost",
      endpoint: { type: "unix", path },
      serializer: "json",
    };
  }

  #run(transport: Record<string, unknown>, first: boolean): Promise<void> {
    const spec = this.#spec;
    const args = JSON.stringify({
      module: spec.module.name,
      class: spec.className,
      realm: spec.config.realm,
      extra: spec.config.extra,
      transport,
    });
    const child = this.#child = sandboxCommand(
      [PYTHON, `${HELPER_DIR}/crossbar_component.py`, args],
      {
        readOnly: [spec.module.root, HELPER_DIR],
        ...hidden(spec.config.cbdir, spec.module.root),
        writable: [this.#dir!],
        env: {
          PATH: "/usr/bin:/bin",
          LANG: "C.UTF-8",
          PYTHONUNBUFFERED: "1",
          PYTHONDONTWRITEBYTECODE: "1",
          PYTHONPATH: spec.module.root,
        },
        network: spec.router === undefined,
        cwd: spec.module.root,
      },
    ).spawn();
    const startedAt = Date.now();
    const tail: string[] = [];
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const stderr = forEachLine(child.stderr, (line) => {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        if (line.trim() !== "") spec.logger.info(line);
      });
      const stdout = forEachLine(child.stdout, (line) => {
        if (line === READY_LINE && !ready) {
          ready = true;
          spec.logger.info(
            `${spec.label} (Python, ${spec.module.path}) joined realm "${spec.config.realm}"`,
          );
          resolve();
        } else if (line.trim() !== "") spec.logger.info(line);
      });
      void Promise.all([child.status, stderr, stdout]).then(([status]) => {
        if (this.#child === child) this.#child = undefined;
        if (this.#closed) return;
        const how = status.signal !== null
          ? `was killed by ${status.signal}`
          : `exited with code ${status.code}`;
        if (!ready) {
          const error = new ComponentStartError(
            `${spec.label} failed to start: the Python process ${how}:\n  ${
              tail.join("\n  ")
            }`,
            "start",
          );
          if (first) {
            reject(error);
            if (!spec.restartFirst) return;
          } else spec.logger.error(error.message);
        } else {
          spec.logger.warn(`${spec.label}: the Python process ${how}`);
        }
        const failed = !status.success;
        const restarting = this.#maybeRestart(transport, failed, startedAt);
        spec.onEnd?.({ failed, restarting });
      });
    });
  }

  #maybeRestart(
    transport: Record<string, unknown>,
    failed: boolean,
    startedAt: number,
  ): boolean {
    const { policy, "max_delay": maxDelay, delay: first } = this.#spec.restart;
    if (policy === "never" || (policy === "on-failure" && !failed)) {
      return false;
    }
    if (Date.now() - startedAt > 10 * this.#delay * 1000) this.#delay = first;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, maxDelay);
    this.#spec.logger.info(`${this.#spec.label}: restarting in ${delay} s`);
    this.#timer = setTimeout(() => {
      if (!this.#closed) this.#run(transport, false).catch(() => {});
    }, delay * 1000);
    return true;
  }

  /** Stops the process and the listener. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    const child = this.#child;
    if (child !== undefined) {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
    }
    this.#listener?.close();
    if (this.#dir !== undefined) {
      await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
    }
  }
}

/** The node directory's secrets to hide from a sandbox mounting `root`. */
export function hidden(
  cbdir: string,
  root: string,
): { hideDirs: string[]; hideFiles: string[] } {
  const { dirs, files } = nodeSecrets(cbdir, [root]);
  return { hideDirs: dirs, hideFiles: files };
}

/** The autobahn transport config for a container component's transport. */
function clientTransport(
  transport: PythonClientTransport | undefined,
): Record<string, unknown> {
  if (transport === undefined) {
    throw new ComponentStartError(
      "a Python component outside this node needs a transport",
      "load",
    );
  }
  const endpoint = transport.endpoint.type === "unix"
    ? { type: "unix", path: transport.endpoint.path }
    : {
      type: "tcp",
      host: transport.endpoint.host,
      port: transport.endpoint.port,
    };
  const url = transport.url ??
    `ws://${transport.endpoint.host ?? "localhost"}:${
      transport.endpoint.port ?? 80
    }/`;
  return { type: transport.type, url, endpoint };
}
