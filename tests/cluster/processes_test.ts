/**
 * `start --processes 2`: two node processes share the port (SO_REUSEPORT),
 * both answer fresh HTTP connections, and one WAMP realm spans them over
 * the local nats-server the supervisor starts and stops.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { spawnCli } from "../_helpers/node.ts";
import {
  type AutobahnClient,
  autobahnConnect,
  clusterConfig,
  eventually,
  nextCall,
  nodeDir,
} from "./_cluster.ts";

/** GETs the node info page over a fresh TCP connection. */
async function freshGet(port: number, path: string): Promise<string> {
  const client = Deno.createHttpClient({});
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      client,
    });
    return await response.text();
  } finally {
    client.close();
  }
}

/** The answering process's pid and its realm1 session count. */
async function whoAnswers(port: number): Promise<[number, number]> {
  const page = await freshGet(port, "/");
  const self = page.match(
    /<td>\w+ \(this process\)<\/td>\n?<td>[^<]*<\/td>\n?<td>(\d+)<\/td>/,
  );
  const sessions = page.match(/<td>realm1<\/td><td>(\d+)<\/td>/);
  assert(self !== null, `no member row in:\n${page}`);
  assert(sessions !== null, `no realm row in:\n${page}`);
  return [Number(self[1]), Number(sessions[1])];
}

Deno.test("start --processes 2 shares the port between two processes that form one realm", async () => {
  await using dir = await nodeDir(clusterConfig(undefined, {
    paths: { metrics: { type: "metrics" } },
  }));
  await using cli = spawnCli([
    "start",
    "--cbdir",
    dir.path,
    "--processes",
    "2",
  ]);
  const natsLine = await cli.waitForLine(/Local NATS server started on/);
  const natsPid = Number(natsLine.match(/pid (\d+)/)![1]);
  await eventually(
    () => (cli.stderr().match(/Joined cluster/g) ?? []).length === 2,
    "both processes joined",
    60_000,
  );
  await eventually(
    () => (cli.stderr().match(/Cluster member \w+ joined/g) ?? []).length >= 2,
    "both processes see each other",
  );
  const listening = await cli.waitForLine(/listening on http:\/\/\S+/);
  const port = Number(listening.match(/127\.0\.0\.1:(\d+)/)![1]);

  // the metrics list both members
  await eventually(async () => {
    const text = await freshGet(port, "/metrics");
    return (text.match(/^crossbar_cluster_members\{/gm) ?? []).length === 2;
  }, "crossbar_cluster_members lists 2 members");

  // HTTP: fresh connections reach both processes
  const pids = new Set<number>();
  for (let i = 0; i < 200 && pids.size < 2; i++) {
    pids.add((await whoAnswers(port))[0]);
  }
  assertEquals(pids.size, 2);

  // WAMP: sessions on both processes, one realm
  const clients: AutobahnClient[] = [];
  try {
    const perProcess = new Map<number, number>();
    while (clients.length < 64) {
      clients.push(await autobahnConnect(`ws://127.0.0.1:${port}/ws`));
      perProcess.clear();
      for (let i = 0; i < 20 && perProcess.size < 2; i++) {
        const [pid, sessions] = await whoAnswers(port);
        perProcess.set(pid, sessions);
      }
      const counts = [...perProcess.values()];
      if (counts.length === 2 && counts.every((n) => n > 0)) break;
    }
    const n = clients.length;
    await eventually(
      async () => await clients[0]!.session.call("wamp.session.count") === n,
      `${n} sessions cluster-wide`,
    );
    const received = nextCall<[number]>();
    for (const [i, client] of clients.entries()) {
      await client.session.register(`com.test.c${i}`, () => i);
      await client.session.subscribe("com.test.all", () => received.fn(i));
    }
    const caller = clients[n - 1]!;
    for (let i = 0; i < n; i++) {
      await eventually(
        async () =>
          await caller.session.call("wamp.registration.lookup", [
            `com.test.c${i}`,
          ]) !== null,
        `com.test.c${i} known`,
      );
      assertEquals(await caller.session.call(`com.test.c${i}`), i);
    }
    await eventually(async () => {
      const id = await caller.session.call("wamp.subscription.lookup", [
        "com.test.all",
      ]);
      return id !== null &&
        await caller.session.call("wamp.subscription.count_subscribers", [
            id,
          ]) === n;
    }, "every subscriber known");
    clients[0]!.session.publish("com.test.all", [], {}, { exclude_me: false });
    const got = new Set<number>();
    while (got.size < n) got.add((await received.next())[0]);
    assertEquals(got.size, n);
  } finally {
    for (const client of clients) await client.close();
  }

  // a process killed with SIGKILL is started again and rejoins
  const victim = Number(
    cli.stderr().match(/Node process 1 started \(pid (\d+)\)/)![1],
  );
  Deno.kill(victim, "SIGKILL");
  await eventually(
    () =>
      /Node process 1 \(pid \d+\) exited \(SIGKILL\); starting it again/.test(
        cli.stderr(),
      ),
    "the supervisor notices",
  );
  await eventually(
    () => (cli.stderr().match(/Joined cluster/g) ?? []).length === 3,
    "the new process joined",
    60_000,
  );

  cli.kill("SIGTERM");
  assertEquals((await cli.status).code, 0);
  const natsGone = await Deno.stat(`/proc/${natsPid}`).then(
    () => false,
    () => true,
  );
  assert(natsGone, "the local nats-server was stopped");
});

Deno.test("start --processes refuses a bad count, and a missing nats-server names the package", async () => {
  await using bad = spawnCli(["start", "--processes", "0"]);
  assertEquals((await bad.status).code, 2);
  assert(bad.stderr().includes('Invalid --processes "0"'), bad.stderr());

  await using dir = await nodeDir(clusterConfig(undefined, {
    cluster: { nats_server: "/nonexistent/nats-server" },
  }));
  await using missing = spawnCli([
    "start",
    "--cbdir",
    dir.path,
    "--processes",
    "2",
  ]);
  assertEquals((await missing.status).code, 1);
  assert(
    missing.stderr().includes("apt-get install nats-server"),
    missing.stderr(),
  );
});
