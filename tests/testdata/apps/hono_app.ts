// Fixture: an unmodified Hono app.
import { Hono } from "hono";

export const app = new Hono();
app.get("/", (c) => c.text("hono root"));
app.get("/users/:id", (c) => c.json({ id: c.req.param("id"), q: c.req.query("q") ?? null }));
app.post("/items", async (c) => c.json({ got: await c.req.json() }, 201));
app.get("/addr", (c) => {
  const env = c.env as { remoteAddr?: Deno.NetAddr };
  return c.text(env.remoteAddr?.hostname ?? "none");
});

// Server-sent events through Hono's own helper.
import { streamSSE } from "hono/streaming";
app.get("/events", (c) =>
  streamSSE(c, async (stream) => {
    for (let i = 0; i < 3; i++) {
      await stream.writeSSE({ data: `tick ${i}`, event: "tick", id: String(i) });
      await stream.sleep(20);
    }
  }));
