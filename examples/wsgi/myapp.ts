/**
 * The seed's Flask example, in Deno: a Hono app (Flask's counterpart) that
 * renders `templates/index.html` with nunjucks (a Jinja-style engine).
 *
 * The node loads it from `.crossbar/config.json` (`"module": "myapp"`,
 * `"object": "app"`, `"pythonpath": [".."]`) and runs it in a pool of
 * workers. `requests` is module state: it lives on in each worker between
 * requests, as a Flask app's globals live on in its process.
 *
 * @module
 */
import { Hono } from "hono";
import nunjucks from "nunjucks";

const templates = new nunjucks.Environment(
  new nunjucks.FileSystemLoader(
    decodeURIComponent(new URL("./templates", import.meta.url).pathname),
  ),
  { autoescape: true },
);

let requests = 0;

/** The web app: one page at `/`. */
export const app: Hono = new Hono();

app.get("/", (c) => {
  requests += 1;
  return c.html(
    templates.render("index.html", {
      message: "Hello from Crossbar.io",
      requests,
    }),
  );
});
