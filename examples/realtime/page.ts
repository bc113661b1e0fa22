/**
 * The example's browser page: loads autobahn-js from `/vendor`, shows
 * `com.example.realtime.said` events live, posts the form with `fetch`
 * (a plain form post works too), and calls `com.example.realtime.stats`.
 * `body[data-wamp]` tells the state: `connecting`, `ready`, `closed`.
 *
 * @module
 */

/** The page's HTML. */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Real-time demo</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; }
  #events li { padding: .25rem 0; border-bottom: 1px solid #ddd; }
  #events time { color: #888; margin-right: .5rem; }
</style>
</head>
<body data-wamp="connecting">
<h1>Real-time demo</h1>
<p id="status">Connecting to the router…</p>
<form id="say" method="post" action="/say">
  <input name="text" required maxlength="280" placeholder="Say something">
  <button type="submit">Publish</button>
</form>
<p>
  <button id="ask" type="button" disabled>Ask the app</button>
  <output id="answer"></output>
</p>
<ul id="events"></ul>
<script type="module">
import autobahn from "/vendor/autobahn.js";

const $ = (id) => document.getElementById(id);
const connection = new autobahn.Connection({
  url: location.origin.replace(/^http/, "ws") + "/ws",
  realm: "realm1",
  use_es6_promises: true,
});

function show(text, at) {
  const item = document.createElement("li");
  const time = document.createElement("time");
  time.textContent = new Date(at).toLocaleTimeString();
  item.append(time, text);
  $("events").prepend(item);
}

connection.onopen = async (session) => {
  await session.subscribe("com.example.realtime.said", (args, kwargs) => {
    show(String(args[0]), kwargs.at ?? Date.now());
  });
  $("ask").disabled = false;
  $("ask").onclick = async () => {
    const stats = await session.call("com.example.realtime.stats");
    $("answer").textContent =
      "The app worker with session " + stats.worker + " has published " +
      stats.published + " message(s) (" + stats.at + ")";
  };
  $("status").textContent = "Connected: new messages appear below.";
  document.body.dataset.wamp = "ready";
};
connection.onclose = (reason) => {
  $("ask").disabled = true;
  $("status").textContent = "Disconnected (" + reason + "), retrying…";
  document.body.dataset.wamp = "closed";
};
connection.open();

$("say").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const response = await fetch("/say", {
    method: "POST",
    body: new FormData(form),
    headers: { accept: "application/json" },
  });
  if (response.ok) form.reset();
  else $("status").textContent = "Not published: " + (await response.json()).error;
});
</script>
</body>
</html>
`;
