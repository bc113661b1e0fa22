/**
 * Host links over the wire (`controller.cluster.host_links`): node
 * processes on this host, a real nats-server and autobahn-js clients.
 * Calls, results and events between the members take their Unix socket
 * (nats-server's own counters show they did not pass through NATS), and
 * NATS when either member has `host_links: false`, when a member's socket
 * cannot be reached, or once a link is refused (in order); nodeinfo and
 * the metrics say which; a connection to a member's socket without its
 * token is refused; a member that stops cleanly delivers the results it
 * had before its goodbye; what waits for a link still opening when its
 * member stops goes through NATS; a killed member's socket directory is
 * removed by the next member to start.
 */
import { dirname } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { freePort } from "../../lib/cluster/nats_server.ts";
import { pack, unpack } from "../../lib/cluster/_wire.ts";
import { concatBytes } from "../../lib/bytes/concat.ts";
import {
  autobahnConnect,
  callees,
  clusterConfig,
  type ClusterProcess,
  eventually,
  HOST_LINK_MODES,
  hostLinks,
  nextCall,
  RawWampClient,
  startClusterNode,
  startNats,
  subscribers,
  within,
} from "./_cluster.ts";

/** A real nats-server with its HTTP monitoring port (`/varz`). */
async function monitoredNats() {
  const monitor = freePort();
  const nats = await startNats(undefined, ["-m", String(monitor)]);
  return {
    nats,
    /** Messages the server has received from its clients so far. */
    async inMsgs(): Promise<number> {
      const response = await fetch(`http://127.0.0.1:${monitor}/varz`);
      return (await response.json()).in_msgs as number;
    },
  };
}

/** What a NATS client of the test sees of cluster `test`'s subjects. */
class ClusterTap implements AsyncDisposable {
  /** Messages to a member's inbox (records without a host link). */
  inbox = 0;
  /** Heartbeats, goodbyes and state changes. */
  control = 0;
  readonly #nc: NatsConnection;
  readonly #beats = new Set<(info: Record<string, unknown>) => void>();

  private constructor(nc: NatsConnection) {
    this.#nc = nc;
    nc.subscribe("crossbar.test.>", {
      callback: (error, msg) => {
        if (error !== null) return;
        if (msg.subject.startsWith("crossbar.test.node.")) this.inbox++;
        else this.control++;
        if (msg.subject !== "crossbar.test.hb") return;
        const [info] = unpack(msg.data) as [Record<string, unknown>];
        for (const beat of this.#beats) beat(info);
      },
    });
  }

  static async open(url: string): Promise<ClusterTap> {
    const nc = await connect({ servers: url });
    const tap = new ClusterTap(nc);
    await nc.flush();
    return tap;
  }

  /** Resolves once every message published before this call was seen. */
  flush(): Promise<void> {
    return this.#nc.flush();
  }

  /** The next heartbeat of member `id` (what it announces about itself). */
  heartbeat(id: string): Promise<Record<string, unknown>> {
    return within(
      new Promise((resolve) => {
        const beat = (info: Record<string, unknown>) => {
          if (info.id !== id) return;
          this.#beats.delete(beat);
          resolve(info);
        };
        this.#beats.add(beat);
      }),
      `a heartbeat of member ${id}`,
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#nc.close();
  }
}

/** Waits until each of `nodes` has logged every other one joining. */
async function acquainted(...nodes: ClusterProcess[]): Promise<void> {
  for (const node of nodes) {
    for (const other of nodes) {
      if (other === node) continue;
      await node.cli.waitForLine(
        new RegExp(`Cluster member ${other.member} joined`),
      );
    }
  }
}

/**
 * `n` calls from a caller on `from` to a callee on `to`, each followed by
 * an event from `from` to a subscriber on `to`, one at a time (so that
 * nothing can share a NATS message): 3 × `n` records between the members.
 * Resolves with how many messages NATS got meanwhile, by kind.
 */
async function traffic(
  from: ClusterProcess,
  to: ClusterProcess,
  n: number,
  tap: ClusterTap,
  inMsgs: () => Promise<number> = () => Promise.resolve(0),
): Promise<{ inbox: number; control: number; inMsgs: number }> {
  const procedure = `com.test.double.${to.member}`;
  const topic = `com.test.tick.${to.member}`;
  await using callee = await autobahnConnect(to.ws, { serializer: "msgpack" });
  await using caller = await autobahnConnect(from.ws);
  await callee.session.register(procedure, ([x]: [number]) => 2 * x);
  const ticks = nextCall<[unknown[]]>();
  await callee.session.subscribe(topic, (args: unknown[]) => ticks.fn(args));
  await callees(caller, procedure, 1);
  await subscribers(caller, topic, "exact", 1);

  await tap.flush();
  const before = { inbox: tap.inbox, control: tap.control, in: await inMsgs() };
  for (let i = 0; i < n; i++) {
    assertEquals(await caller.session.call(procedure, [i]), 2 * i);
    // Acknowledged: a PUBLISH and a CALL one after the other with no answer
    // between would wait for TCP's delayed ACK (Nagle) at the client.
    await caller.session.publish(topic, [i], {}, { acknowledge: true });
    assertEquals((await ticks.next())[0], [i]);
  }
  await tap.flush();
  const inAfter = await inMsgs();
  await tap.flush();
  return {
    inbox: tap.inbox - before.inbox,
    control: tap.control - before.control,
    inMsgs: inAfter - before.in,
  };
}

const CALLS = 200;
/** A `/metrics` path for the test nodes. */
const METRICS = { metrics: { type: "metrics" } };

Deno.test("cluster host links: calls, results and events between two members on one host bypass NATS", async () => {
  const { nats, inMsgs } = await monitoredNats();
  await using _nats = nats;
  await using tap = await ClusterTap.open(nats.url);
  const config = clusterConfig(nats.url, { paths: METRICS });
  await using a = await startClusterNode(config);
  await using b = await startClusterNode(config);
  await acquainted(a, b);
  await shownAs(a, b, "host link", true);
  await shownAs(b, a, "host link", true);

  const seen = await traffic(a, b, CALLS, tap, inMsgs);
  // 600 records went from member to member; NATS carried none of them,
  // only its heartbeats (and state requests, if any).
  assert(seen.inbox < 20, `${seen.inbox} inbox messages through NATS`);
  assert(
    seen.inMsgs - seen.control < 30,
    `NATS received ${seen.inMsgs} messages, ${seen.control} of them heartbeats or changes`,
  );
});

Deno.test("cluster host links: with host_links false on both members, calls, results and events go through NATS", async () => {
  const { nats, inMsgs } = await monitoredNats();
  await using _nats = nats;
  await using tap = await ClusterTap.open(nats.url);
  const config = clusterConfig(nats.url, {
    ...hostLinks(false),
    paths: METRICS,
  });
  await using a = await startClusterNode(config);
  await using b = await startClusterNode(config);
  await acquainted(a, b);
  // no socket is announced
  assertEquals((await tap.heartbeat(b.member)).link, undefined);
  await shownAs(a, b, "NATS", true);
  await shownAs(b, a, "NATS", true);

  const seen = await traffic(a, b, CALLS, tap, inMsgs);
  assert(seen.inbox >= 3 * CALLS, `${seen.inbox} inbox messages through NATS`);
  assert(seen.inMsgs >= 3 * CALLS, `NATS received ${seen.inMsgs} messages`);
});

Deno.test("cluster host links: a member with host links and one without talk through NATS both ways", async () => {
  await using nats = await startNats();
  await using tap = await ClusterTap.open(nats.url);
  await using a = await startClusterNode(clusterConfig(nats.url));
  await using b = await startClusterNode(
    clusterConfig(nats.url, hostLinks(false)),
  );
  await acquainted(a, b);
  assert((await tap.heartbeat(a.member)).link !== undefined);
  await shownAs(a, b, "NATS");
  await shownAs(b, a, "NATS");
  const n = 20;
  const ab = await traffic(a, b, n, tap);
  assert(ab.inbox >= 3 * n, `A to B: ${ab.inbox} inbox messages`);
  const ba = await traffic(b, a, n, tap);
  assert(ba.inbox >= 3 * n, `B to A: ${ba.inbox} inbox messages`);
});

/** `payload` as one host link frame (4-byte big-endian length first). */
function frame(payload: Uint8Array | string): Uint8Array {
  const bytes = typeof payload === "string"
    ? new TextEncoder().encode(payload)
    : payload;
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setUint32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

/** The payload of the next frame on `conn`. */
async function readFrame(conn: Deno.Conn): Promise<Uint8Array> {
  const chunk = new Uint8Array(256);
  let bytes: Uint8Array = new Uint8Array(0);
  const end = () =>
    bytes.length < 4
      ? Infinity
      : 4 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
  while (bytes.length < end()) {
    const n = await conn.read(chunk);
    if (n === null) throw new Error("the connection closed inside a frame");
    bytes = concatBytes([bytes, chunk.subarray(0, n)]);
  }
  return bytes.subarray(4, end());
}

/** Resolves once the other end has closed `conn` (end of stream or reset). */
async function closedByPeer(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(256);
  await within(
    (async () => {
      try {
        while (await conn.read(buffer) !== null) { /* nothing is sent */ }
      } catch (error) {
        if (!(error instanceof Deno.errors.ConnectionReset)) throw error;
      }
    })(),
    "the member closes the connection",
  );
}

Deno.test("cluster host links: a connection without the member's token is refused and its records are dropped", async () => {
  await using nats = await startNats();
  await using tap = await ClusterTap.open(nats.url);
  const config = clusterConfig(nats.url);
  await using a = await startClusterNode(config);
  await using b = await startClusterNode(config);
  await acquainted(a, b);
  const announced = await announcedLink(tap, b.member);
  // the socket lies in a directory only its user may enter
  assertEquals((await Deno.stat(dirname(announced.path))).mode! & 0o777, 0o700);

  await using sub = await autobahnConnect(b.ws);
  await using pub = await autobahnConnect(a.ws);
  const events = nextCall<[unknown[]]>();
  await sub.session.subscribe(
    "com.test.inject",
    (a: unknown[]) => events.fn(a),
  );
  await subscribers(pub, "com.test.inject", "exact", 1);
  const event = (what: string) =>
    frame(pack(["ev", "realm1", "com.test.inject", {}, {}, [[what]]]));

  // The token from the heartbeat opens the link: the frame is a real one.
  {
    await using conn = await Deno.connect({
      transport: "unix",
      path: announced.path,
    });
    await conn.write(concatBytes([
      frame(`${announced.token} ${"f".repeat(16)}`),
      frame(new Uint8Array([0xc1])),
      event("with the token"),
    ]));
    // the member accepts the token with one byte, 1
    const answer = new Uint8Array(2);
    assertEquals(await conn.read(answer), 1);
    assertEquals(answer[0], 1);
    assertEquals((await events.next())[0], ["with the token"]);
    await b.cli.waitForLine(/dropped a malformed inbox message/);
  }

  // A wrong token: refused, logged, and the record after it never handled.
  {
    await using conn = await Deno.connect({
      transport: "unix",
      path: announced.path,
    });
    const wrong = announced.token.replace(/^./, (c) => c === "0" ? "1" : "0");
    await conn.write(concatBytes([
      frame(`${wrong} ${a.member}`),
      event("wrong token"),
    ]));
    await closedByPeer(conn);
    await b.cli.waitForLine(
      /\bwarn\b.*Cluster: refused a host link connection with a wrong token/,
    );
  }
  // No token at all, and a frame announcing more than a link accepts.
  for (const first of [frame(""), new Uint8Array([0xff, 0xff, 0xff, 0xff])]) {
    await using conn = await Deno.connect({
      transport: "unix",
      path: announced.path,
    });
    await conn.write(concatBytes([first, event("no token")]));
    await closedByPeer(conn);
  }
  await eventually(
    () =>
      (b.cli.stderr().match(/refused a host link connection/g) ?? []).length ===
        2,
    "two refusals logged (the wrong token, the empty one)",
  );

  // The member still works, and the first event after those is this one.
  await pub.session.publish("com.test.inject", ["real"], {}, {
    acknowledge: true,
  });
  assertEquals((await events.next())[0], ["real"]);
});

/** What member `id` announces in its heartbeat about its socket. */
async function announcedLink(
  tap: ClusterTap,
  id: string,
): Promise<{ path: string; token: string }> {
  const link = (await tap.heartbeat(id)).link as {
    path: string;
    token: string;
  };
  assert(typeof link?.path === "string", `member ${id} announces no socket`);
  return link;
}

Deno.test("cluster host links: a member whose socket cannot be reached gets its records through NATS, and links the other way", async () => {
  await using nats = await startNats();
  await using tap = await ClusterTap.open(nats.url);
  const config = clusterConfig(nats.url);
  await using b = await startClusterNode(config);
  // As for members in containers sharing a host name but not /tmp.
  await Deno.remove((await announcedLink(tap, b.member)).path);
  await using a = await startClusterNode(config);
  await acquainted(a, b);
  await shownAs(b, a, "host link");
  await shownAs(a, b, "NATS");

  // A to B through NATS (calls and events), B to A over the link (results)
  const n = 20;
  const ab = await traffic(a, b, n, tap);
  assert(ab.inbox >= 2 * n && ab.inbox < 2 * n + 20, `A to B: ${ab.inbox}`);
  const ba = await traffic(b, a, n, tap);
  assert(ba.inbox >= n && ba.inbox < n + 20, `B to A: ${ba.inbox}`);
});

/**
 * A listener in place of a member's socket at `path` (removed first): it
 * takes the first connection's first frame and never answers.
 */
async function standInFor(path: string): Promise<
  Disposable & {
    /** The first connection and its first frame. */
    readonly dialled: Promise<readonly [Deno.Conn, string]>;
  }
> {
  await Deno.remove(path);
  const listener = Deno.listen({ transport: "unix", path });
  const dialled = listener.accept().then(async (conn) =>
    [conn, new TextDecoder().decode(await readFrame(conn))] as const
  );
  dialled.catch(() => {}); // the test may end before anyone dials
  return {
    dialled,
    [Symbol.dispose]: () => listener.close(),
  };
}

Deno.test("cluster host links: records waiting for a link that is then refused go through NATS in order", async () => {
  await using nats = await startNats();
  await using tap = await ClusterTap.open(nats.url);
  const config = clusterConfig(nats.url);
  await using b = await startClusterNode(config);
  const announced = await announcedLink(tap, b.member);
  // Takes the token and answers nothing until the test closes the
  // connection (as a member refusing it would).
  using standIn = await standInFor(announced.path);
  {
    const { client: callee } = await RawWampClient.joined(b.ws);
    await using _callee = callee;
    callee.send([64, 1, {}, "com.test.order"]);
    assertEquals((await callee.next())[0], 65);
    await using a = await startClusterNode(config);
    const [conn, hello] = await within(standIn.dialled, "node A dials B");
    // the first frame: B's token and A's member id
    assertEquals(hello, `${announced.token} ${a.member}`);
    await using caller = await autobahnConnect(a.ws);
    await callees(caller, "com.test.order", 1);

    const n = 5;
    const calls = Array.from(
      { length: n },
      (_, i) => caller.session.call("com.test.order", [i]),
    );
    // Refused once A has sent the calls (or has given up waiting already).
    await caller.session.call("wamp.session.count");
    conn.close();
    for (let i = 0; i < n; i++) {
      const [type, request, , , args] = await callee.next();
      assertEquals([type, args], [68, [i]]);
      callee.send([70, request, {}, [`got ${i}`]]);
    }
    assertEquals(
      await within(Promise.all(calls), "every call is answered"),
      Array.from({ length: n }, (_, i) => `got ${i}`),
    );
    await shownAs(a, b, "NATS");
  }
});

Deno.test({
  name:
    "cluster host links: an event waiting for a link still being opened when its member stops reaches the subscriber",
}, async () => {
  await using nats = await startNats();
  await using tap = await ClusterTap.open(nats.url);
  const config = clusterConfig(nats.url);
  await using b = await startClusterNode(config);
  // B's socket never answers: A's link to B stays in its handshake.
  using standIn = await standInFor((await announcedLink(tap, b.member)).path);
  await using sub = await autobahnConnect(b.ws);
  const events = nextCall<[unknown[]]>();
  await sub.session.subscribe("com.test.last", (a: unknown[]) => events.fn(a));
  await using a = await startClusterNode(config);
  await within(standIn.dialled, "node A dials B");
  await using pub = await autobahnConnect(a.ws);
  await subscribers(pub, "com.test.last", "exact", 1);
  await pub.session.publish("com.test.last", ["sent before the stop"], {}, {
    acknowledge: true,
  });
  a.cli.kill("SIGTERM");
  assertEquals((await a.cli.status).code, 0);
  // A's goodbye came after everything A sent through NATS.
  await b.cli.waitForLine(new RegExp(`member ${a.member} .* left`));
  await using local = await autobahnConnect(b.ws);
  await local.session.publish("com.test.last", ["published after"], {}, {
    acknowledge: true,
  });
  assertEquals((await events.next())[0], ["sent before the stop"]);
});

for (const { hostLinks: on, label } of HOST_LINK_MODES) {
  Deno.test(`cluster host links (${label}): a member that stops cleanly delivers the results it had before its goodbye`, async () => {
    await using nats = await startNats();
    const config = clusterConfig(nats.url, hostLinks(on));
    await using a = await startClusterNode(config);
    await using b = await startClusterNode(config);
    await acquainted(a, b);
    await shownAs(b, a, on ? "host link" : "NATS");
    const { client: callee } = await RawWampClient.joined(b.ws);
    await using _callee = callee;
    callee.send([64, 1, {}, "com.test.later"]);
    assertEquals((await callee.next())[0], 65);
    await using caller = await autobahnConnect(a.ws);
    await callees(caller, "com.test.later", 1);

    const n = 5;
    const calls = Array.from(
      { length: n },
      (_, i) => caller.session.call("com.test.later", [i]),
    ).map((p) => p.then((r: unknown) => r, (e: unknown) => e));
    const invocations = [];
    for (let i = 0; i < n; i++) {
      const invocation = await callee.next();
      assertEquals(invocation[0], 68);
      invocations.push(invocation);
    }
    for (const [, request, , , args] of invocations) {
      callee.send([70, request, {}, [`done ${(args as number[])[0]}`]]);
    }
    // Node B's router has handled the YIELDs once it answers this call.
    callee.send([48, 99, {}, "wamp.session.count", []]);
    assertEquals((await callee.next()).slice(0, 2), [50, 99]);
    b.cli.kill("SIGTERM");

    const results = await within(Promise.all(calls), "every call is answered");
    assertEquals(
      results,
      Array.from({ length: n }, (_, i) => `done ${i}`),
    );
    assertEquals((await b.cli.status).code, 0);
    await a.cli.waitForLine(new RegExp(`member ${b.member} .* left`));
  });
}

/** Member id → how records go to it ("host link", "NATS"), by `url`'s nodeinfo. */
async function recordsGoBy(url: string): Promise<Map<string, string>> {
  const html = await (await fetch(`${url}/`)).text();
  const table = html.split(/<h2>Cluster /)[1] ?? "";
  const rows = [...table.matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) =>
    [...m[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/gs)].map((c) => c[1]!.trim())
  );
  const column = rows[0]?.indexOf("records go by") ?? -1;
  assert(column >= 0, `no "records go by" column in ${table}`);
  return new Map(rows.slice(1).map((row) => [row[0]!, row[column]!]));
}

/**
 * Waits until `node`'s nodeinfo says records to `other` go by `by`; with
 * `metrics` (the node has {@link METRICS}), so must its
 * `crossbar_cluster_members` metric (label `host_link`).
 */
async function shownAs(
  node: ClusterProcess,
  other: ClusterProcess,
  by: "host link" | "NATS",
  metrics = false,
): Promise<void> {
  await eventually(
    async () => (await recordsGoBy(node.url)).get(other.member) === by,
    `nodeinfo of ${node.member}: records to ${other.member} go by ${by}`,
  );
  if (!metrics) return;
  const line = (await (await fetch(`${node.url}/metrics`)).text()).split("\n")
    .find((l) =>
      l.startsWith("crossbar_cluster_members{") &&
      l.includes(`member="${other.member}"`)
    );
  assert(
    line?.includes(`host_link="${by === "host link"}"`),
    `metrics of ${node.member}: ${line}`,
  );
}

Deno.test("cluster host links: the socket directory of a member killed with SIGKILL is removed by the next member to start", async () => {
  await using nats = await startNats();
  await using tap = await ClusterTap.open(nats.url);
  const config = clusterConfig(nats.url);
  await using a = await startClusterNode(config);
  const dir = dirname((await announcedLink(tap, a.member)).path);
  a.cli.kill("SIGKILL");
  await a.cli.status;
  // Nobody cleaned up: the process had no chance to.
  assert((await Deno.stat(dir)).isDirectory);
  await using _b = await startClusterNode(config);
  await eventually(
    () => Deno.stat(dir).then(() => false, () => true),
    "the dead member's socket directory is removed",
  );
});
