/**
 * The local nats-server child: starts on a free loopback port, stops with
 * close(), and a missing binary gives an error naming the package.
 */
import { connect } from "@nats-io/transport-node";
import { startNatsServer } from "../../lib/cluster/nats_server.ts";
import { ClusterError } from "../../lib/cluster/errors.ts";
import { assert, assertEquals, assertRejects } from "../_helpers/assert.ts";

Deno.test("startNatsServer() runs nats-server on loopback and stops it", async () => {
  const server = await startNatsServer();
  assert(/^nats:\/\/127\.0\.0\.1:\d+$/.test(server.url), server.url);
  const nc = await connect({ servers: server.url });
  const sub = nc.subscribe("probe", { max: 1 });
  nc.publish("probe", "hello");
  for await (const msg of sub) assertEquals(msg.string(), "hello");
  await nc.close();
  await server.close();
  await server.exited;
  await assertRejects(() =>
    Deno.connect({ hostname: "127.0.0.1", port: server.port })
  );
  await server.close(); // idempotent
});

Deno.test("startNatsServer() names the package to install when the binary is missing", async () => {
  const error = await assertRejects(
    () => startNatsServer({ binary: "/nonexistent/nats-server" }),
    ClusterError,
  );
  assert(error.message.includes("apt-get install nats-server"), error.message);
  assert(error.message.includes("controller.cluster.nats.servers"));
});

Deno.test("startNatsServer() reports a server that cannot start, with its output", async () => {
  await using first = await startNatsServer();
  const error = await assertRejects(
    () => startNatsServer({ port: first.port }),
    ClusterError,
  );
  assert(
    error.message.includes(`port ${first.port} did not start`),
    error.message,
  );
});
