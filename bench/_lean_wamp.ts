/**
 * The lean JSON WAMP client the bench clients share (no WAMP library, so
 * the client is not the bottleneck): a text message pipe, joining realm1,
 * and the RPC and pub/sub scenarios driven by {@link pump}.
 */
import { pump, type PumpResult } from "./_pump.ts";

/** A message pipe: send text, get text. */
export interface Pipe {
  /** Sends one WAMP message (JSON text). */
  send(text: string): void;
  /** Called with each WAMP message received. */
  onmessage: (text: string) => void;
  /** Closes the connection. */
  close(): void;
}

const HELLO = JSON.stringify([1, "realm1", {
  roles: { caller: {}, callee: {}, publisher: {}, subscriber: {} },
}]);

/** A {@link Pipe} over a `wamp.2.json` WebSocket to `url`. */
export function openWebSocket(url: string): Promise<Pipe> {
  const ws = new WebSocket(url, "wamp.2.json");
  const pipe: Pipe = {
    send: (text) => ws.send(text),
    onmessage: () => {},
    close: () => ws.close(),
  };
  ws.onmessage = (e) => pipe.onmessage(e.data);
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(pipe);
    ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
  });
}

/** Opens a WAMP session on `pipe` and resolves after WELCOME. */
export async function join(opened: Promise<Pipe>): Promise<Pipe> {
  const pipe = await opened;
  await new Promise<void>((resolve, reject) => {
    pipe.onmessage = (text) => {
      if (JSON.parse(text)[0] === 2) resolve();
      else reject(new Error(`no WELCOME: ${text}`));
    };
    pipe.send(HELLO);
  });
  return pipe;
}

/** Sends one request and waits for the reply whose type is `replyType`. */
export function request(
  pipe: Pipe,
  msg: unknown[],
  replyType: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    pipe.onmessage = (text) => {
      if (JSON.parse(text)[0] === replyType) resolve();
      else reject(new Error(`unexpected reply ${text}`));
    };
    pipe.send(JSON.stringify(msg));
  });
}

/** How long and how hard a scenario runs. */
export interface Load {
  /** Seconds to keep sending. */
  seconds: number;
  /** Requests in flight at once. */
  inFlight: number;
}

/** One callee echoing, one caller calling: calls completed. */
export async function rpc(
  session: () => Promise<Pipe>,
  load: Load,
): Promise<PumpResult> {
  const callee = await session();
  await request(callee, [64, 1, {}, "bench.echo"], 65);
  callee.onmessage = (text) => {
    // INVOCATION [68, requestId, registrationId, details, args]: answer YIELD
    const msg = JSON.parse(text);
    callee.send(JSON.stringify([70, msg[1], {}, msg[4]]));
  };
  const caller = await session();
  const result = await pump(
    load.seconds,
    load.inFlight,
    (i) => caller.send(`[48,${i + 1},{},"bench.echo",[${i}]]`),
    (onReply) => caller.onmessage = onReply,
  );
  caller.close();
  callee.close();
  return result;
}

/** One publisher (acknowledged), `subscribers` sessions: events received. */
export async function fanout(
  session: () => Promise<Pipe>,
  load: Load,
  subscribers = 1,
): Promise<PumpResult> {
  const pipes: Pipe[] = [];
  let events = 0;
  for (let i = 0; i < subscribers; i++) {
    const pipe = await session();
    await request(pipe, [32, 1, {}, "bench.topic"], 33);
    pipe.onmessage = () => events++;
    pipes.push(pipe);
  }
  const publisher = await session();
  const payload = JSON.stringify({ value: 42, text: "hello subscribers" });
  const start = performance.now();
  await pump(
    load.seconds,
    load.inFlight,
    (i) =>
      publisher.send(
        `[16,${i + 1},{"acknowledge":true},"bench.topic",[${i},${payload}]]`,
      ),
    (onReply) => publisher.onmessage = onReply,
  );
  const seconds = (performance.now() - start) / 1000;
  const count = events;
  publisher.close();
  for (const pipe of pipes) pipe.close();
  return { count, seconds };
}
