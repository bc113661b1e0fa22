/**
 * The API at `/api`: a Hono app. Its path config grants it read access to
 * `data/` and the `GREETING` environment variable, and nothing else.
 *
 * It is mounted below `/api`, so its routes are written from `/`, as a WSGI
 * app sees only the rest of the path.
 *
 * @module
 */
import { Hono } from "hono";

const DATA = new URL("../data/items.json", import.meta.url);

/** The API app. */
export const app: Hono = new Hono();

app.get(
  "/greeting",
  (c) => c.json({ greeting: Deno.env.get("GREETING") ?? "hello" }),
);

app.get(
  "/items",
  async (c) => c.json(JSON.parse(await Deno.readTextFile(DATA))),
);

app.get("/secret", (c) => {
  // Not granted: the worker's permissions refuse it with NotCapable.
  return c.json({ home: Deno.env.get("HOME") });
});
