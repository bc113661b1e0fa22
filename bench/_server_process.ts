/**
 * A server under benchmark, run as a child process: started, its port read
 * from the line it logs when it listens, stopped with SIGTERM.
 */

/** A running benchmark server. */
export interface Server {
  /** The loopback port it listens on. */
  readonly port: number;
  /** Stops it (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Spawns `command` and resolves once a complete line of its `stream`
 * gives `portOf` a port; the rest of that stream is read and discarded.
 */
export async function spawnServer(
  command: string,
  args: string[],
  portOf: (line: string) => number | undefined,
  stream: "stdout" | "stderr",
): Promise<Server> {
  const child = new Deno.Command(command, {
    args,
    stdout: stream === "stdout" ? "piped" : "null",
    stderr: stream === "stderr" ? "piped" : "null",
  }).spawn();
  const reader = child[stream].pipeThrough(new TextDecoderStream())
    .getReader();
  let text = "";
  let port: number | undefined;
  while (port === undefined) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${command} exited early:\n${text}`);
    text += value;
    for (const line of text.split("\n").slice(0, -1)) port ??= portOf(line);
  }
  const drain = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  return {
    port,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await drain.catch(() => {});
    },
  };
}
