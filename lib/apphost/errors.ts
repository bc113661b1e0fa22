/**
 * Errors of the app host.
 *
 * @module
 */

/** Options for {@link AppLoadError}. */
export interface AppLoadErrorOptions {
  /** The configured module name. */
  module: string;
  /** The file that was (or would have been) imported, if known. */
  path?: string | undefined;
  /** Every path searched, for a module that was not found. */
  candidates?: string[] | undefined;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * A wsgi app cannot be used: its module was not found, failed to import, or
 * lacks a usable export. Thrown by `createWsgiService()` and
 * `checkWsgiApp()` before anything listens.
 *
 * @example Catch a load failure
 * ```ts ignore
 * import { AppLoadError, checkWsgiApp } from "./mod.ts";
 * try {
 *   await checkWsgiApp(options);
 * } catch (error) {
 *   if (error instanceof AppLoadError) console.error(error.message);
 * }
 * ```
 */
export class AppLoadError extends Error {
  /** The configured module name. */
  readonly module: string;
  /** The resolved file, if any. */
  readonly path: string | undefined;
  /** The paths searched (empty unless the module was not found). */
  readonly candidates: string[];

  /**
   * @param message What failed, naming module and path.
   * @param options Module, path, candidates and cause.
   */
  constructor(message: string, options: AppLoadErrorOptions) {
    super(message, { cause: options.cause });
    this.name = "AppLoadError";
    this.module = options.module;
    this.path = options.path;
    this.candidates = options.candidates ?? [];
  }
}
