/**
 * Load generator for `wamp_bench.ts`, run in its own process so the router's
 * thread is measured alone. A lean raw-WebSocket JSON client (no WAMP
 * library) so the client is not the bottleneck; one scenario per run,
 * result printed as one JSON line: `{ "count": n, "seconds": s }`.
 *
 * Usage: deno run -A bench/wamp_bench_client.ts '<json scenario>'
 */
import { fanout, join, openWebSocket, rpc } from "./_lean_wamp.ts";
import { pump } from "./_pump.ts";

/** One scenario, as passed on the command line. */
interface Scenario {
  kind: "echo" | "rpc" | "fanout" | "autobahn-rpc";
  url: string;
  seconds: number;
  inFlight: number;
  subscribers?: number;
}

function open(url: string, protocol?: string): Promise<WebSocket> {
  const ws = protocol ? new WebSocket(url, protocol) : new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    ws.onerror = (e) => reject(new Error(`cannot connect to ${url}: ${e}`));
  });
}

async function echo(s: Scenario) {
  const ws = await open(s.url);
  const result = await pump(
    s.seconds,
    s.inFlight,
    (i) => ws.send(`[48,${i},{},"bench.echo",[${i}]]`),
    (onReply) => ws.onmessage = onReply,
  );
  ws.close();
  return result;
}

function rpcScenario(s: Scenario) {
  return rpc(() => join(openWebSocket(s.url)), s);
}

function fanoutScenario(s: Scenario) {
  return fanout(() => join(openWebSocket(s.url)), s, s.subscribers);
}

async function autobahnRpc(s: Scenario) {
  const { default: autobahn } = await import("autobahn");
  // deno-lint-ignore no-explicit-any -- autobahn-js has no types
  type Any = any;
  const connect = () =>
    new Promise<{ session: Any; connection: Any }>((resolve, reject) => {
      const connection = new autobahn.Connection({
        url: s.url,
        realm: "realm1",
        max_retries: 0,
        use_es6_promises: true,
      });
      connection.onopen = (session: unknown) =>
        resolve({ session, connection });
      connection.onclose = (reason: string) => {
        reject(new Error(reason));
        return true;
      };
      connection.open();
    });
  const callee = await connect();
  await callee.session.register("bench.echo", (args: unknown[]) => args[0]);
  const caller = await connect();
  let onReply = () => {};
  const result = await pump(
    s.seconds,
    s.inFlight,
    (i) => caller.session.call("bench.echo", [i]).then(() => onReply()),
    (r) => onReply = r,
  );
  caller.connection.close();
  callee.connection.close();
  return result;
}

const scenario = JSON.parse(Deno.args[0] ?? "{}") as Scenario;
const run = {
  echo,
  rpc: rpcScenario,
  fanout: fanoutScenario,
  "autobahn-rpc": autobahnRpc,
}[scenario.kind];
const result = await run(scenario);
// deno-lint-ignore no-console -- the result goes to the parent process
console.log(JSON.stringify(result));
await new Promise((r) => setTimeout(r, 100));
Deno.exit(0);
