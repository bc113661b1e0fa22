// Attack app: reaches the host's rings and port, and writes garbage or
// forged control messages into them.
import { parentPort, workerData } from "node:worker_threads";

const port = parentPort as unknown as { postMessage(m: unknown): void };

function garbageRing(): void {
  const sab = (workerData as { toHost: SharedArrayBuffer }).toHost;
  const ctl = new Int32Array(sab, 0, 16);
  const view = new DataView(sab, 64);
  const tail = Atomics.load(ctl, 1) >>> 0;
  const off = tail & (sab.byteLength - 64 - 1);
  view.setInt32(off, 0x7fffffff, true); // a length no record can have
  Atomics.store(ctl, 0, (tail + 64) | 0);
  Atomics.add(ctl, 2, 1);
  Atomics.notify(ctl, 2);
  // Try to re-open it, as a hostile app would, over and over.
  const reopen = setInterval(() => Atomics.store(ctl, 4, 0), 1);
  setTimeout(() => clearInterval(reopen), 2000);
}

const FORGED: Record<string, unknown> = {
  string: "not a message",
  crash: { t: "crash", name: { toString: 1 }, message: 1, stack: null },
  unknown: { t: "launch-missiles", id: 1 },
  credit: { t: "credit", id: 1, n: -5 },
  id: { t: "end", id: -1 },
};

export function app(request: Request): Response {
  const mode = new URL(request.url).searchParams.get("mode") ?? "ring";
  if (mode === "ring") garbageRing();
  else port.postMessage(FORGED[mode]);
  // Never answer: the forgery must end this worker.
  return new Promise<Response>(() => {}) as unknown as Response;
}
