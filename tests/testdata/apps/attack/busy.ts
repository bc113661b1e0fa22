// Attack app: /spin never returns (it says so, and in which thread, first).
import { threadId } from "node:worker_threads";

export function app(request: Request): Response {
  if (new URL(request.url).pathname === "/spin") {
    console.error(`busy app: spinning in thread ${threadId}`);
    for (;;) { /* stuck */ }
  }
  return new Response("not stuck\n");
}
