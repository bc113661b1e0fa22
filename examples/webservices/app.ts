/**
 * The app at `/app`: a Hono app that answers JSON. It is mounted below
 * `/app`, so its routes are written from `/`.
 *
 * @module
 */
import { Hono } from "hono";

/** The app. */
export const app: Hono = new Hono();

app.get("/", (c) => c.json({ app: "hello", path: c.req.path }));
app.get("/time", (c) => c.json({ now: new Date().toISOString() }));
