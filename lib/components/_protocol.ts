/**
 * Messages between the node and a component's worker.
 *
 * @module
 */

/** Node → worker: load (and with `check`, only check) the component. */
export interface ComponentInit {
  readonly t: "init";
  /** The module to import. */
  readonly specifier: string;
  /** The export to use. */
  readonly exportName: string;
  /** The configured classname, for messages. */
  readonly classname: string;
  /** Realm, extra, cbdir and id. */
  readonly config: {
    realm: string;
    extra: unknown;
    cbdir: string;
    id: string;
  };
  /** The worker's end of the WAMP channel (absent for `check`). */
  readonly port?: MessagePort | undefined;
  /** Auth methods offered in HELLO (`internal` in-process). */
  readonly authmethods: string[];
  /** Only load the module and run `checkConfig`. */
  readonly check: boolean;
}

/** Node → worker: leave and stop. */
export interface ComponentStop {
  readonly t: "stop";
}

/** Worker → node. */
export type ComponentReport =
  | { readonly t: "ready" }
  | { readonly t: "checked" }
  | {
    readonly t: "failed";
    readonly phase: "load" | "check" | "join" | "run";
    readonly message: string;
    readonly stack?: string | undefined;
  }
  | { readonly t: "left"; readonly reason: string }
  | { readonly t: "exit"; readonly code: number }
  | { readonly t: "stopped" };
