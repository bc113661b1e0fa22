// Attack app: what host facts can it learn, and can it reach the rings?
import process from "node:process";
function attempt(f: () => unknown): string {
  try {
    return `revealed: ${String(f())}`;
  } catch (e) {
    return `refused: ${(e as Error).name}`;
  }
}
export function app(): Response {
  return Response.json({
    cwd: attempt(() => Deno.cwd()),
    processCwd: attempt(() => process.cwd()),
    execPath: attempt(() => Deno.execPath()),
    processExecPath: attempt(() => {
      if (process.execPath.includes("/")) return process.execPath;
      throw new Deno.errors.NotCapable("hidden");
    }),
    env: attempt(() => Deno.env.get("HOME")),
  });
}
