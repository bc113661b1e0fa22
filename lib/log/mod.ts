/**
 * Logging for the node and its components.
 *
 * @module
 */
export {
  createLogger,
  type LineLevel,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  SILENT_LOGGER,
} from "./logger.ts";
