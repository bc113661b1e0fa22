/**
 * Test helper: a hang guard. Tests wait for events, never for durations;
 * this only turns a wait that never ends into a clear failure.
 */

/**
 * `promise`, or a rejection naming `what` when it has not settled after
 * `ms` milliseconds.
 */
export function within<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${what}`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}
