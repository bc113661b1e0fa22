/**
 * The bound on loading an app: a module whose top-level code never settles
 * (an endless top-level `await`) must fail `check` and `start` with an
 * error naming it instead of hanging them. The bound is the path's
 * `load_timeout`, whose default lives in the config schema.
 *
 * @module
 */

/**
 * Resolves like `loading`, or rejects once `ms` have passed.
 *
 * @param loading The app's load (its workers' `ready`).
 * @param ms The bound in milliseconds.
 * @returns What `loading` resolved with.
 * @throws {Error} Saying that loading took too long.
 */
export async function withinLoadTimeout<T>(
  loading: Promise<T>,
  ms: number,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() =>
      reject(
        new Error(
          `the module did not finish loading within ${
            ms / 1000
          } s (load_timeout); does its top-level code await something that never settles?`,
        ),
      ), ms);
  });
  try {
    return await Promise.race([loading, late]);
  } finally {
    clearTimeout(timer);
  }
}
