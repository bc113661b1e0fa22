// Fixture app for tests/apphost: one plain handler with many routes.
import { createHash } from "node:crypto";

let counter = 0;
const events: string[] = [];
const workerId = crypto.randomUUID();
const encoder = new TextEncoder();

function json(value: unknown, init?: ResponseInit): Response {
  return new Response(JSON.stringify(value), {
    ...init,
    headers: { "content-type": "application/json" },
  });
}

async function probe(what: string, arg: string): Promise<unknown> {
  switch (what) {
    case "env":
      return Deno.env.get("HOME") ?? "";
    case "net":
      return (await (await fetch(arg)).text()).length;
    case "read":
      return (await Deno.readTextFile(arg)).length;
    case "write":
      await Deno.writeTextFile(arg, "x");
      return 1;
    case "run":
      return (await new Deno.Command("true").output()).code;
  }
  throw new Error("unknown probe");
}

export async function handler(
  request: Request,
  info: { remoteAddr: Deno.NetAddr },
): Promise<Response> {
  const url = new URL(request.url);
  const q = url.searchParams;
  switch (url.pathname) {
    case "/counter":
      return new Response(String(++counter));
    case "/id":
      return new Response(workerId);
    case "/slow": {
      await new Promise((r) => setTimeout(r, Number(q.get("ms") ?? 300)));
      return new Response(workerId);
    }
    case "/throw":
      throw new Error("fixture failure");
    case "/crash":
      setTimeout(() => {
        throw new Error("crash in a timer");
      }, 0);
      return new Promise(() => {});
    case "/exit":
      Deno.exit(7);
      break;
    case "/hang":
      return new Promise(() => {});
    case "/spin": {
      const until = Date.now() + Number(q.get("ms") ?? 1);
      while (Date.now() < until) { /* busy */ }
      return new Response("spun");
    }
    case "/locks": {
      // deno-lint-ignore no-explicit-any
      const locks = (navigator as any).locks;
      const own = await locks.request("app lock", () => locks.query());
      let refused = "";
      try {
        await locks.request("crossbar-deno:x", { steal: true }, () => {});
      } catch (error) {
        refused = (error as Error).name;
      }
      return json({
        held: own.held.map((l: { name: string }) => l.name),
        refused,
      });
    }
    case "/cookies": {
      const headers = new Headers();
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      return new Response("cookies", { headers });
    }
    case "/probe": {
      try {
        return json({ ok: true, value: await probe(q.get("what")!, q.get("arg") ?? "") });
      } catch (error) {
        return json({ ok: false, name: (error as Error).name, message: (error as Error).message });
      }
    }
    case "/probe-uncaught":
      return json({ value: Deno.env.get("HOME") });
    case "/sha256": {
      // Hash the upload chunk by chunk: it never sits whole in memory.
      const hash = createHash("sha256");
      let total = 0;
      for await (const chunk of request.body!) {
        hash.update(chunk);
        total += chunk.byteLength;
      }
      return json({ sha256: hash.digest("hex"), total });
    }
    case "/forever": {
      let n = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await new Promise((r) => setTimeout(r, 5));
          controller.enqueue(encoder.encode(`tick ${n++}\n`));
        },
        cancel() {
          events.push("stream cancelled");
        },
      });
      return new Response(body);
    }
    case "/crash-stream": {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode("partial "));
          setTimeout(() => {
            throw new Error("crash while streaming");
          }, 50);
        },
      });
      return new Response(body);
    }
    case "/wait-abort": {
      request.signal.addEventListener("abort", () => events.push("request aborted"));
      return new Promise(() => {});
    }
    case "/events":
      return json(events);
    case "/count-body": {
      let total = 0;
      for await (const chunk of request.body!) total += chunk.byteLength;
      const mem = Deno.memoryUsage?.().rss ?? 0;
      return json({ total, mem });
    }
    case "/big": {
      const size = Number(q.get("size") ?? 1_000_000);
      return new Response(new Uint8Array(size).fill(97));
    }
    case "/echo":
      return new Response(request.body, { headers: { "x-echo": "1" } });
    case "/sse": {
      const events = Number(q.get("n") ?? 3);
      let gate: (() => void) | undefined;
      (globalThis as Record<string, unknown>).__sseGate = () => gate?.();
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode(`data: first\n\n`));
          // Wait for the client to confirm it got the first event.
          await new Promise<void>((r) => gate = r);
          for (let i = 1; i < events; i++) {
            controller.enqueue(encoder.encode(`data: event ${i}\n\n`));
          }
          controller.close();
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    }
    case "/sse-release": {
      ((globalThis as Record<string, unknown>).__sseGate as () => void)?.();
      return new Response("released");
    }
    case "/not-a-response":
      return 42 as unknown as Response;
  }
  const headers: [string, string][] = [];
  request.headers.forEach((v, k) => headers.push([k, v]));
  return json({
    method: request.method,
    url: request.url,
    pathname: url.pathname,
    search: url.search,
    prefix: request.headers.get("x-forwarded-prefix"),
    headers,
    remote: info.remoteAddr,
    body: request.body ? await request.text() : null,
  });
}

export default handler;
export const notAnApp = 42;

/** A handler whose response body was already consumed. */
export async function usedBody(): Promise<Response> {
  const response = new Response("once");
  await response.text();
  return response;
}
