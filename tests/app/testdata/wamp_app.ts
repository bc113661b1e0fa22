/**
 * A hosted app that talks WAMP through `crossbar/app`: it registers
 * procedures and subscribes at module top level, and publishes or calls
 * from HTTP requests.
 *
 * @module
 */
import { Result, wamp, WampError } from "crossbar/app";

const session = await wamp();
// Every worker of a pool registers the same procedures: share them.
const shared = { invoke: "roundrobin" } as const;

await session.register(
  "com.test.add",
  ([a, b]) => Number(a) + Number(b),
  shared,
);
await session.register("com.test.whoami", () => session.sessionId, shared);
await session.register("com.test.fail", () => {
  throw new WampError("com.test.oops", ["bad input"], { code: 7 });
}, shared);
await session.register("com.test.countdown", (args, _kwargs, details) => {
  for (let i = Number(args[0]); i > 0; i--) details.progress?.([i]);
  return new Result(["liftoff"], { worker: session.sessionId });
}, shared);
await session.register("com.test.crash", () => {
  // Crash the worker after answering: an uncaught error in a timer.
  setTimeout(() => {
    throw new Error("crashed on purpose");
  }, 10);
  return "crashing";
}, shared);
const echo = await session.subscribe("com.test.echo.in");
(async () => {
  for await (const event of echo) {
    await session.publish("com.test.echo.out", event.args, event.kwargs);
  }
})();

async function outcome(work: () => Promise<unknown>): Promise<Response> {
  try {
    return Response.json({ ok: await work() });
  } catch (error) {
    if (error instanceof WampError) {
      return Response.json({ error: error.uri, args: error.args });
    }
    return Response.json({ error: String(error) }, { status: 500 });
  }
}

/**
 * The app: `/publish?topic=…&text=…`, `/call?procedure=…`,
 * `/register?procedure=…`, `/progress?procedure=…`, `/hang`, and the
 * session's identity at any other path.
 */
export default function handler(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const topic = url.searchParams.get("topic") ?? "com.test.news";
  const procedure = url.searchParams.get("procedure") ?? "com.test.add";
  switch (url.pathname) {
    case "/publish":
      return outcome(() =>
        session.publish(topic, [url.searchParams.get("text")], {}, {
          acknowledge: true,
        })
      );
    case "/call":
      return outcome(async () =>
        (await session.call(procedure, [2, 3], {}, { timeout: 5000 })).args
      );
    case "/register":
      return outcome(async () =>
        (await session.register(procedure, () => "nope")).id
      );
    case "/hang":
      return new Promise(() => {});
    case "/progress": {
      return outcome(async () => {
        const seen: unknown[] = [];
        for await (
          const result of session.callProgressive(procedure, [3])
        ) seen.push([result.progress, ...result.args]);
        return seen;
      });
    }
    default:
      return Promise.resolve(Response.json({
        sessionId: session.sessionId,
        realm: session.realm,
        authid: session.authid,
        authrole: session.authrole,
      }));
  }
}
