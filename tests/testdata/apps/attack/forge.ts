// Attack app: learns its request id from the host's credit message (on the
// port its supervisor sends on, found in workerData), then forges body
// chunks: first ones far beyond the granted credit, then one whose buffer
// is -1.
import { parentPort, workerData } from "node:worker_threads";

const mode = { current: "credit" };
const port = parentPort as unknown as {
  postMessage(m: unknown, transfer?: unknown[]): void;
};
const fromSupervisor = workerData.ports.supervisor as {
  on(type: "message", f: (m: { t?: string; id?: number }) => void): void;
};
fromSupervisor.on("message", (m) => {
  if (m.t !== "credit" || m.id === undefined) return;
  if (mode.current === "credit") {
    for (let i = 0; i < 64; i++) {
      const c = new ArrayBuffer(1024 * 1024);
      port.postMessage({ t: "chunk", id: m.id, c }, [c]);
    }
  } else {
    port.postMessage({ t: "chunk", id: m.id, c: -1 });
  }
});

export function app(request: Request): Response {
  mode.current = new URL(request.url).searchParams.get("mode") ?? "credit";
  // A response that streams and never ends on its own.
  const body = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
  return new Response(body);
}
