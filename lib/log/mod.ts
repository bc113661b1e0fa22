/**
 * Logging for the node and its components.
 *
 * @module
 */
export {
  createLogger,
  LOG_LEVELS,
  type LineLevel,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  SILENT_LOGGER,
} from "./logger.ts";
