/**
 * The real-time example's app: a Hono app whose workers speak WAMP
 * directly through `crossbar/app`. Posting the form (or JSON to `/say`)
 * publishes `com.example.realtime.said`; every open page shows it. The
 * page's button calls `com.example.realtime.stats`, which the app
 * registers (shared by the pool's workers, round robin).
 *
 * @module
 */
import { Hono } from "hono";
import { wamp, WampError } from "crossbar/app";
import { PAGE } from "./page.ts";

/** Topic of the messages the app publishes. */
export const SAID_TOPIC = "com.example.realtime.said";
/** Procedure the app registers. */
export const STATS_PROCEDURE = "com.example.realtime.stats";
/** Longest message accepted. */
const MAX_TEXT = 280;

// Joined once per worker; a replaced worker runs this module again and
// registers anew.
const session = await wamp();
let published = 0;

await session.register(STATS_PROCEDURE, () => ({
  worker: session.sessionId,
  published,
  at: new Date().toISOString(),
}), { invoke: "roundrobin" });

/** The app. */
export const app: Hono = new Hono();

app.get("/", (c) => c.html(PAGE));
app.get("/favicon.ico", (c) => c.body(null, 204));

app.post("/say", async (c) => {
  const text = await readText(c.req.raw);
  if (text === undefined) {
    return c.json({
      error:
        `"text" must be a non-empty string of at most ${MAX_TEXT} characters`,
    }, 400);
  }
  let publication: number | undefined;
  try {
    publication = await session.publish(SAID_TOPIC, [text], {
      at: new Date().toISOString(),
    }, { acknowledge: true });
  } catch (error) {
    if (!(error instanceof WampError)) throw error;
    return c.json({ error: error.uri }, 502);
  }
  published++;
  if (c.req.header("accept")?.includes("application/json")) {
    return c.json({ publication });
  }
  return c.redirect("/", 303);
});

/** Reads `text` from a form or JSON body; `undefined` when invalid. */
async function readText(request: Request): Promise<string | undefined> {
  let value: unknown;
  try {
    const type = request.headers.get("content-type") ?? "";
    if (type.startsWith("application/json")) {
      value = (await request.json())?.text;
    } else {
      value = (await request.formData()).get("text");
    }
  } catch {
    return undefined;
  }
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return text.length > 0 && text.length <= MAX_TEXT ? text : undefined;
}
