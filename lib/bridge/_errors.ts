/** The expected failure of a bridge request: becomes an HTTP error answer. */
export class BridgeHttpError extends Error {
  /** The HTTP status (400, 401, 405, 413, 500). */
  readonly status: number;

  /**
   * @param status The HTTP status.
   * @param message The text sent as `error`.
   */
  constructor(status: number, message: string) {
    super(message);
    this.name = "BridgeHttpError";
    this.status = status;
  }
}
