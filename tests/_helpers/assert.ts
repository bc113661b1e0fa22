/**
 * Test assertions (JSR's @std/assert is unreachable here): thin, typed
 * wrappers over `node:assert/strict` with the @std/assert names.
 */
import nodeAssert from "node:assert/strict";

/** Asserts that `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message);
}

/** Asserts deep, strict equality. */
export function assertEquals<T>(
  actual: T,
  expected: T,
  message?: string,
): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Asserts deep, strict inequality. */
export function assertNotEquals<T>(
  actual: T,
  expected: T,
  message?: string,
): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}

/** Asserts that `actual` contains `expected`. */
export function assertStringIncludes(
  actual: string,
  expected: string,
  message?: string,
): void {
  if (!actual.includes(expected)) {
    throw new nodeAssert.AssertionError({
      message: message ??
        `Expected ${JSON.stringify(actual)} to include ${
          JSON.stringify(expected)
        }`,
      actual,
      expected,
    });
  }
}

/** Asserts that `actual` matches `pattern`. */
export function assertMatch(
  actual: string,
  pattern: RegExp,
  message?: string,
): void {
  nodeAssert.match(actual, pattern, message);
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

function checkError<E extends Error>(
  error: unknown,
  ErrorClass?: ErrorClass<E>,
  includes?: string,
): E {
  if (ErrorClass && !(error instanceof ErrorClass)) {
    throw new nodeAssert.AssertionError({
      message:
        `Expected error to be instance of "${ErrorClass.name}", but was "${
          (error as Error)?.name
        }": ${(error as Error)?.message}`,
    });
  }
  if (includes !== undefined) {
    assertStringIncludes((error as Error).message, includes);
  }
  return error as E;
}

/** Asserts that `fn` throws (optionally an instance of a class, with text). */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  includes?: string,
): E {
  try {
    fn();
  } catch (error) {
    return checkError(error, ErrorClass, includes);
  }
  throw new nodeAssert.AssertionError({
    message: "Expected function to throw",
  });
}

/** Asserts that `fn` rejects (optionally an instance of a class, with text). */
export async function assertRejects<E extends Error = Error>(
  fn: () => PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E>,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    return checkError(error, ErrorClass, includes);
  }
  throw new nodeAssert.AssertionError({
    message: "Expected promise to reject",
  });
}
