/**
 * Errors of the app API.
 *
 * @module
 */

/**
 * `wamp()` cannot give the app a session: the code is not running in a
 * hosted app, or its wsgi path has no `wamp` config.
 */
export class WampUnavailableError extends Error {
  /**
   * @param message What is missing and how to fix it.
   * @param options Standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "WampUnavailableError";
  }
}
