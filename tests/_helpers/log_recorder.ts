/**
 * A logger for an in-process node that keeps every line, so a test can wait
 * for the event a line reports instead of sleeping.
 */
import { createLogger, type Logger } from "../../lib/log/mod.ts";

/** What {@link recordLog} gives a test. */
export interface LogRecorder {
  /** The logger to hand to the node (level `info`). */
  logger: Logger;
  /** Every line logged so far. */
  lines: string[];
  /** Resolves with the `count`-th line matching `pattern` (default 1st). */
  waitFor(pattern: RegExp, count?: number): Promise<string>;
}

/** A fresh {@link LogRecorder}. */
export function recordLog(): LogRecorder {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const logger = createLogger({
    level: "info",
    write: (line) => {
      lines.push(line);
      for (const wake of [...waiters]) wake();
    },
  });
  const waitFor = (pattern: RegExp, count = 1) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const found = lines.filter((l) => pattern.test(l));
        if (found.length < count) return;
        waiters.delete(check);
        resolve(found[count - 1]!);
      };
      waiters.add(check);
      check();
    });
  return { logger, lines, waitFor };
}
