/**
 * One-line structured logging for the node: `time level source: message`.
 *
 * Library code never calls `console`; it receives a {@link Logger} and
 * writes through it, so the node decides the level and the sink.
 *
 * @module
 */

/** Log levels as Crossbar's `--loglevel` flag names them, most severe first. */
export const LOG_LEVELS = [
  "none",
  "error",
  "warn",
  "info",
  "debug",
  "trace",
] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Level of a written line (every level but `none`). */
export type LineLevel = Exclude<LogLevel, "none">;

/** Where log lines go, and how a component writes them. */
export interface Logger {
  /** Writes `message` at `level`, tagged with this logger's source. */
  log(level: LineLevel, message: string): void;
  /** Shorthand for `log("error", message)`. */
  error(message: string): void;
  /** Shorthand for `log("warn", message)`. */
  warn(message: string): void;
  /** Shorthand for `log("info", message)`. */
  info(message: string): void;
  /** Shorthand for `log("debug", message)`. */
  debug(message: string): void;
  /** Shorthand for `log("trace", message)`. */
  trace(message: string): void;
  /** Whether a line at `level` would be written (to skip building costly messages). */
  enabled(level: LineLevel): boolean;
  /** A logger with the same sink and level whose lines name `source`. */
  child(source: string): Logger;
}

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Lines less severe than this are dropped. @default {"info"} */
  level?: LogLevel;
  /** Receives each formatted line (without newline). @default {writes to stderr} */
  write?: (line: string) => void;
  /** Source tag of the root logger. @default {"node"} */
  source?: string;
}

const encoder = new TextEncoder();

function writeStderr(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

/**
 * Creates a logger that writes `2026-11-24T03:21:41.123Z info  web: message`.
 *
 * @param options Level, sink and source.
 * @returns The root logger.
 *
 * @example Collect lines
 * ```ts
 * import { createLogger } from "./logger.ts";
 * const lines: string[] = [];
 * const log = createLogger({ level: "info", write: (l) => lines.push(l) });
 * log.child("web").info("listening");
 * log.debug("dropped");
 * if (lines.length !== 1 || !lines[0]!.endsWith("web: listening")) throw new Error();
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? "info");
  const write = options.write ?? writeStderr;
  return makeLogger(options.source ?? "node", threshold, write);
}

/** A logger that drops everything (for tests and embedding). */
export const SILENT_LOGGER: Logger = createLogger({
  level: "none",
  write: () => {},
});

function makeLogger(
  source: string,
  threshold: number,
  write: (line: string) => void,
): Logger {
  const enabled = (level: LineLevel) => LOG_LEVELS.indexOf(level) <= threshold;
  const log = (level: LineLevel, message: string) => {
    if (!enabled(level)) return;
    const time = new Date().toISOString();
    write(`${time} ${level.padEnd(5)} ${source}: ${message}`);
  };
  return {
    log,
    error: (m) => log("error", m),
    warn: (m) => log("warn", m),
    info: (m) => log("info", m),
    debug: (m) => log("debug", m),
    trace: (m) => log("trace", m),
    enabled,
    child: (child) => makeLogger(child, threshold, write),
  };
}
