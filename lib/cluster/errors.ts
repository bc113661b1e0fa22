/**
 * Errors of the cluster layer.
 *
 * @module
 */

/** The cluster could not start or reach its NATS servers. */
export class ClusterError extends Error {
  /**
   * @param message What went wrong.
   * @param options The cause, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ClusterError";
  }
}
