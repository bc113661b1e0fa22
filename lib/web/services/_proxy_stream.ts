/**
 * Stream plumbing for the proxies and CGI: relay a body and run a cleanup
 * exactly once, whether it ends, fails or is cancelled by the client.
 *
 * @module
 */

/**
 * Wraps `body` so that `cleanup` runs once when it is fully read, errors,
 * or is cancelled (the cancel is passed on to `body`).
 */
export function withCleanup(
  body: ReadableStream<Uint8Array>,
  cleanup: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let cleaned = false;
  const once = () => {
    if (cleaned) return;
    cleaned = true;
    cleanup();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await reader.read();
        if (done) {
          once();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        once();
        controller.error(error);
      }
    },
    async cancel(reason) {
      once();
      await reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}
