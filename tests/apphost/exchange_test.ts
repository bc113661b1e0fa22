/**
 * The exchange owns whether a hosted request is answered: the first
 * response reaches the client, later ones are dropped, and the client-abort
 * subscription ends with the answer.
 */
import assert from "node:assert/strict";
import { Exchange } from "../../lib/apphost/_exchange.ts";

function exchange(signal = new AbortController().signal) {
  const delivered: number[] = [];
  const ex = new Exchange({
    id: 1,
    started: 0,
    request: new Request("http://x/"),
    context: {
      prefix: "",
      rest: "/",
      search: "",
      remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
      secure: false,
      signal,
    },
    url: "http://x/",
    stream: false,
  }, (response) => delivered.push(response.status));
  return { ex, delivered };
}

Deno.test("Exchange.respond() delivers the first response only", () => {
  const { ex, delivered } = exchange();
  assert.equal(ex.answered, false);
  ex.respond(new Response(null, { status: 200 }));
  assert.equal(ex.answered, true);
  ex.respond(new Response(null, { status: 502 }));
  ex.respond(new Response(null, { status: 504 }));
  assert.deepEqual(delivered, [200]);
});

Deno.test("Exchange.watchAbort() reports a client that leaves before the answer", () => {
  const client = new AbortController();
  const { ex } = exchange(client.signal);
  let aborts = 0;
  ex.watchAbort(() => aborts++);
  ex.watchAbort(() => aborts++); // subscribes once only
  assert.equal(ex.watched, true);
  client.abort();
  assert.equal(aborts, 1);
});

Deno.test("Exchange.respond() ends the abort subscription", () => {
  const client = new AbortController();
  const { ex } = exchange(client.signal);
  let aborts = 0;
  ex.watchAbort(() => aborts++);
  ex.respond(new Response(null, { status: 200 }));
  client.abort();
  assert.equal(aborts, 0);
});

Deno.test("Exchange.watchAbort() acts at once on a client already gone, not after the answer", () => {
  const gone = new AbortController();
  gone.abort();
  const first = exchange(gone.signal);
  let aborts = 0;
  first.ex.watchAbort(() => aborts++);
  assert.equal(aborts, 1);
  const answered = exchange(gone.signal);
  answered.ex.respond(new Response(null, { status: 200 }));
  answered.ex.watchAbort(() => aborts++);
  assert.equal(aborts, 1);
  assert.equal(answered.ex.watched, false);
});
