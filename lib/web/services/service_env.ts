/**
 * What the node hands every web path service when it builds one.
 *
 * @module
 */
import type { Logger } from "../../log/logger.ts";

/** The node-level environment shared by all path service factories. */
export interface ServiceEnv {
  /** Absolute path of the node directory; relative config paths resolve here. */
  readonly cbdir: string;
  /** Where the service writes its log lines. */
  readonly logger: Logger;
  /**
   * Whether error pages may show details (the web transport's
   * `display_tracebacks` option). Stack traces are never sent either way.
   * @default {false}
   */
  readonly displayTracebacks?: boolean;
}
