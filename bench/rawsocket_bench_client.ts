/**
 * Load generator for `rawsocket_bench.ts`: the same lean JSON WAMP client
 * over a WebSocket or a RawSocket (handshake, 4-octet length prefixes), so
 * only the transport differs. One scenario per run; prints
 * `{ "count": n, "seconds": s }`.
 *
 * Usage: deno run -A bench/rawsocket_bench_client.ts '<json scenario>'
 */
import { fanout, join, openWebSocket, type Pipe, rpc } from "./_lean_wamp.ts";

/** One scenario, as passed on the command line. */
interface Scenario {
  kind: "rpc" | "fanout";
  transport: "websocket" | "rawsocket";
  /** `ws://…` or `host:port`. */
  url: string;
  seconds: number;
  inFlight: number;
  subscribers?: number;
}

async function openRawSocket(address: string): Promise<Pipe> {
  const [hostname = "127.0.0.1", port] = address.split(":");
  const conn = await Deno.connect({ hostname, port: Number(port) });
  conn.setNoDelay(true);
  await conn.write(new Uint8Array([0x7f, 0xf1, 0, 0]));
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let queue: Uint8Array[] = [];
  let writing = false;
  const flush = async () => {
    writing = true;
    while (queue.length > 0) {
      const parts = queue;
      queue = [];
      let length = 0;
      for (const p of parts) length += p.length;
      const data = new Uint8Array(length);
      let offset = 0;
      for (const p of parts) {
        data.set(p, offset);
        offset += p.length;
      }
      for (let done = 0; done < data.length;) {
        done += await conn.write(data.subarray(done));
      }
    }
    writing = false;
  };
  const pipe: Pipe = {
    send(text) {
      const payload = encoder.encode(text);
      const frame = new Uint8Array(4 + payload.length);
      frame[1] = payload.length >> 16;
      frame[2] = (payload.length >> 8) & 255;
      frame[3] = payload.length & 255;
      frame.set(payload, 4);
      queue.push(frame);
      if (!writing) flush();
    },
    onmessage: () => {},
    close: () => conn.close(),
  };
  let buffer = new Uint8Array(0);
  let handshaken = false;
  const opened = Promise.withResolvers<void>();
  (async () => {
    const chunk = new Uint8Array(65536);
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(chunk);
      } catch {
        return;
      }
      if (n === null) return;
      const joined = new Uint8Array(buffer.length + n);
      joined.set(buffer);
      joined.set(chunk.subarray(0, n), buffer.length);
      let offset = 0;
      if (!handshaken && joined.length >= 4) {
        if (joined[1] !== 0xf1) opened.reject(new Error("handshake refused"));
        handshaken = true;
        offset = 4;
        opened.resolve();
      }
      while (joined.length - offset >= 4) {
        const length = (joined[offset + 1]! << 16) |
          (joined[offset + 2]! << 8) | joined[offset + 3]!;
        if (joined.length - offset - 4 < length) break;
        pipe.onmessage(
          decoder.decode(joined.subarray(offset + 4, offset + 4 + length)),
        );
        offset += 4 + length;
      }
      buffer = joined.slice(offset);
    }
  })();
  await opened.promise;
  return pipe;
}

function session(s: Scenario): () => Promise<Pipe> {
  return () =>
    join(
      s.transport === "websocket" ? openWebSocket(s.url) : openRawSocket(s.url),
    );
}

const scenario = JSON.parse(Deno.args[0] ?? "{}") as Scenario;
const result = scenario.kind === "rpc"
  ? await rpc(session(scenario), scenario)
  : await fanout(session(scenario), scenario, scenario.subscribers);
// deno-lint-ignore no-console -- the result goes to the parent process
console.log(JSON.stringify(result));
Deno.exit(0);
