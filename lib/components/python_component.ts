/**
 * A component whose classname resolves to a Python module (an autobahn
 * `ApplicationSession` subclass), run unchanged by autobahn-python.
 *
 * @module
 */
import type { Logger } from "../log/mod.ts";
import type { PythonModule } from "../pyhost/mod.ts";
import type { Router } from "../wamp/router.ts";
import type { RestartPolicy } from "./component_runner.ts";
import { ComponentStartError } from "./component_runner.ts";

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
  /** The configured role. */
  readonly role: string | undefined;
  /** Restart policy. */
  readonly restart: RestartPolicy;
  /** This node's router, when the component attaches to it. */
  readonly router: Router | undefined;
  /** The configured client transport (container components). */
  readonly transport: unknown;
  /** A private endpoint of `router` for the Python process. */
  readonly pythonEndpoint:
    | ((router: Router) => Promise<{ url: string } | undefined>)
    | undefined;
  /** Where output goes. */
  readonly logger: Logger;
}

/** Runs a Python component in a Python process. */
export class PythonComponentRunner {
  readonly #spec: PythonComponentSpec;

  /** @param spec The component. */
  constructor(spec: PythonComponentSpec) {
    this.#spec = spec;
  }

  /**
   * Starts the component.
   *
   * @throws {ComponentStartError} Always, for now.
   */
  start(): Promise<void> {
    return Promise.reject(
      new ComponentStartError(
        `${this.#spec.label}: Python components (${this.#spec.module.path}) are not supported yet; port it to TypeScript or run it as a guest worker`,
        "load",
      ),
    );
  }

  /** Stops it. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
