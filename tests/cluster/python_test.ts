/**
 * autobahn-python on node B, autobahn-js on node A: progressive results,
 * an error with args/kwargs and events cross the cluster between the two
 * client libraries.
 */
import { assertEquals } from "../_helpers/assert.ts";
import {
  autobahnConnect,
  callees,
  clusterConfig,
  errorUri,
  eventually,
  startClusterNode,
  startNats,
  within,
} from "./_cluster.ts";

const SCRIPT = new URL("./_autobahn_python.py", import.meta.url).pathname;

Deno.test("cluster: autobahn-js on node A calls and publishes to autobahn-python on node B", async () => {
  await using nats = await startNats();
  const config = clusterConfig(nats.url);
  await using a = await startClusterNode(config);
  await using b = await startClusterNode(config);
  const python = new Deno.Command("/usr/bin/python3", {
    args: [SCRIPT, b.ws],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = python.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async (): Promise<string> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("autobahn-python exited");
      buffered += value;
    }
    const i = buffered.indexOf("\n");
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    return line;
  };
  try {
    const ready = await within(nextLine(), "autobahn-python READY");
    assertEquals(ready.startsWith("READY "), true, ready);
    await using caller = await autobahnConnect(a.ws);
    await callees(caller, "com.cluster.py.fail", 1);

    const progress: unknown[] = [];
    const call = caller.session.call("com.cluster.py.count", [4], {}, {
      receive_progress: true,
    });
    call.onprogress = (value: unknown) => progress.push(value);
    assertEquals(await within(call, "progressive call"), 10);
    assertEquals(progress, [1, 2, 3, 4]);

    const error = await caller.session.call("com.cluster.py.fail").then(
      () => undefined,
      (e: unknown) => e as { args: unknown[]; kwargs: unknown },
    );
    assertEquals(errorUri(error), "com.cluster.py.oops");
    assertEquals(error!.args, ["from python"]);
    assertEquals(error!.kwargs, { code: 7 });

    await eventually(
      async () =>
        await caller.session.call("wamp.subscription.lookup", [
          "com.cluster.py.topic",
        ]) !== null,
      "the Python subscription known on A",
    );
    await caller.session.publish("com.cluster.py.topic", ["hi"], { n: 1 }, {
      acknowledge: true,
    });
    const event = JSON.parse(await within(nextLine(), "event in Python"));
    assertEquals(event, { args: ["hi"], kwargs: { n: 1 } });
  } finally {
    await python.stdin.close();
    await python.status;
    await lines.cancel();
  }
});
