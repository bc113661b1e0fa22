/**
 * Benchmark app: the seed's Flask page as a Hono app rendering a nunjucks
 * template (`templates/index.html`) with a message and a counter.
 */
import { Hono } from "hono";
import nunjucks from "nunjucks";
import { fileURLToPath } from "node:url";

const templates = fileURLToPath(new URL("./templates", import.meta.url));
const env = nunjucks.configure(templates, { autoescape: true });
let counter = 0;

export const app = new Hono();
app.get("/", (c) =>
  c.html(
    env.render("index.html", {
      message: "Hello from Crossbar.io",
      counter: ++counter,
    }),
  ));

export default app;
