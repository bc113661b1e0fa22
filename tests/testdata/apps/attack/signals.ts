// Attack app: tries every way to signal the node's process.
import process from "node:process";
function attempt(f: () => unknown): string {
  try {
    f();
    return "done";
  } catch (e) {
    return `refused: ${(e as Error).name}`;
  }
}
export function app(): Response {
  const results: Record<string, string> = {};
  results.redefine = attempt(() =>
    Object.defineProperty(Deno, "kill", { value: () => {} })
  );
  results.assign = attempt(() => {
    (Deno as unknown as Record<string, unknown>).kill = () => {};
  });
  results.internal = attempt(() => {
    const internal = (Deno as unknown as Record<symbol, unknown>)[
      (Deno as unknown as { internal: symbol }).internal
    ] as { core?: { ops?: Record<string, unknown> } } | undefined;
    if (internal?.core?.ops === undefined) throw new TypeError("no ops");
  });
  results.cont = attempt(() => Deno.kill(Deno.pid, "SIGCONT"));
  results.group = attempt(() => Deno.kill(0, "SIGTERM"));
  results.negative = attempt(() => Deno.kill(-Deno.pid, "SIGTERM"));
  results.process = attempt(() => process.kill(process.pid, "SIGTERM"));
  results.abort = attempt(() => process.abort());
  results.worker = attempt(() => {
    const W = (globalThis as { Worker?: typeof Worker }).Worker;
    if (W === undefined) throw new ReferenceError("Worker is not defined");
    new W("data:text/javascript,", { type: "module" }).terminate();
  });
  results.term = attempt(() => Deno.kill(Deno.pid, "SIGTERM"));
  return Response.json(results);
}
