/**
 * Splits a byte stream into text lines (for the output of hosted
 * processes).
 *
 * @module
 */

/**
 * Calls `onLine` for every line of `stream` (without its line break) until
 * the stream ends.
 *
 * @param stream A process's stdout or stderr.
 * @param onLine Receives each line.
 */
export async function forEachLine(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  try {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const part of parts) onLine(part.replace(/\r$/, ""));
    }
  } catch {
    // The process went away; what was read is reported.
  }
  if (rest !== "") onLine(rest);
}
