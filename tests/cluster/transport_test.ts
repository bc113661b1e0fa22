/**
 * The NATS client on native Deno sockets (`lib/cluster/_transport.ts`)
 * against a real nats-server: messages of every size arrive intact and in
 * order, and the client reconnects when the server comes back.
 */
import {
  type NatsConnection,
  NatsConnectionImpl,
} from "@nats-io/transport-node";
import { startNatsServer } from "../../lib/cluster/nats_server.ts";
import {
  DenoTransport,
  useDenoTransport,
} from "../../lib/cluster/_transport.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

function dial(url: string): Promise<NatsConnection> {
  useDenoTransport();
  return NatsConnectionImpl.connect({
    servers: url,
    noEcho: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 50,
  });
}

Deno.test("DenoTransport carries small and large messages in order, and requests", async () => {
  await using server = await startNatsServer();
  const a = await dial(server.url);
  const b = await dial(server.url);
  try {
    const got: Uint8Array[] = [];
    const all = Promise.withResolvers<void>();
    const sizes = [0, 1, 100, 70_000, 600_000, 3];
    b.subscribe("t.data", {
      callback: (_error, msg) => {
        got.push(msg.data);
        if (got.length === sizes.length) all.resolve();
      },
    });
    b.subscribe("t.echo", {
      callback: (_error, msg) => {
        msg.respond(msg.data.toReversed());
      },
    });
    await b.flush();
    const sent = sizes.map((n, i) =>
      Uint8Array.from({ length: n }, (_, j) => (i * 7 + j) % 251)
    );
    for (const data of sent) a.publish("t.data", data);
    await all.promise;
    assertEquals(got.map((d) => d.length), sizes);
    for (const [i, data] of sent.entries()) {
      assert(
        got[i]!.every((byte, j) => byte === data[j]),
        `message ${i} (${data.length} bytes) arrived intact`,
      );
    }
    const reply = await a.request("t.echo", new Uint8Array([1, 2, 3]), {
      timeout: 5000,
    });
    assertEquals([...reply.data], [3, 2, 1]);
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("DenoTransport reconnects to a restarted server and resubscribes", async () => {
  const first = await startNatsServer();
  const port = first.port;
  const nc = await dial(first.url);
  const statuses: string[] = [];
  const back = Promise.withResolvers<void>();
  const lost = Promise.withResolvers<void>();
  (async () => {
    for await (const status of nc.status()) {
      statuses.push(status.type);
      if (status.type === "disconnect") lost.resolve();
      if (status.type === "reconnect") back.resolve();
    }
  })().catch(() => {});
  const received = Promise.withResolvers<string>();
  nc.subscribe("t.after", {
    callback: (_error, msg) => received.resolve(msg.string()),
  });
  await nc.flush();
  await first.close();
  await lost.promise;
  await using second = await startNatsServer({ port });
  await back.promise;
  const other = await dial(second.url);
  try {
    // The subscription was sent again on reconnect: a fresh client's
    // message reaches it once the reconnected client has flushed.
    await nc.flush();
    other.publish("t.after", "hello again");
    assertEquals(await received.promise, "hello again");
    assert(statuses.includes("disconnect") && statuses.includes("reconnect"));
  } finally {
    await other.close();
    await nc.close();
  }
});

Deno.test("DenoTransport reports a refused connection as a connection error", async () => {
  const server = await startNatsServer();
  const url = server.url;
  await server.close();
  const transport = new DenoTransport();
  const [hostname, port] = url.slice("nats://".length).split(":");
  let error: unknown;
  try {
    await transport.connect(
      { hostname: hostname!, port: Number(port) } as Parameters<
        DenoTransport["connect"]
      >[0],
      {},
    );
  } catch (e) {
    error = e;
  }
  assert(error instanceof Error, "connect() rejects");
  assert(/refused/i.test(error.message), error.message);
});

Deno.test("DenoTransport closes even when the server stopped reading", async () => {
  await using server = await startNatsServer();
  const nc = await dial(server.url);
  Deno.kill(server.pid, "SIGSTOP");
  try {
    // More than the socket buffers hold: the write cannot finish.
    const chunk = new Uint8Array(512 * 1024);
    for (let i = 0; i < 40; i++) nc.publish("t.stuck", chunk);
    await nc.close();
    assert(nc.isClosed());
  } finally {
    Deno.kill(server.pid, "SIGCONT");
  }
});
