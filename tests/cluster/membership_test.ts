/**
 * Membership by heartbeats over a real nats-server: members find each
 * other, a clean stop is seen at once, a silent member times out.
 */
import { connect } from "@nats-io/transport-node";
import { type MemberInfo, Membership } from "../../lib/cluster/membership.ts";
import { startNatsServer } from "../../lib/cluster/nats_server.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";

function info(id: string): MemberInfo {
  return { id, host: "h", pid: 1, process: 0, started: "" };
}

function events() {
  const seen: string[] = [];
  const waiters: [string, () => void][] = [];
  return {
    seen,
    push(event: string) {
      seen.push(event);
      for (const [want, wake] of [...waiters]) if (want === event) wake();
    },
    waitFor(event: string): Promise<void> {
      if (seen.includes(event)) return Promise.resolve();
      return new Promise((resolve) => waiters.push([event, resolve]));
    },
  };
}

Deno.test("Membership finds members, sees a goodbye at once and a silent member time out", async () => {
  await using server = await startNatsServer();
  const ncA = await connect({ servers: server.url, noEcho: true });
  const ncB = await connect({ servers: server.url, noEcho: true });
  const ncC = await connect({ servers: server.url, noEcho: true });
  const seenByA = events();
  const make = (nc: typeof ncA, id: string, log?: ReturnType<typeof events>) =>
    new Membership(nc, {
      self: info(id),
      subjects: {
        heartbeat: "mtest.hb",
        goodbye: "mtest.bye",
        changes: "mtest.chg",
        inbox: (id) => `mtest.node.${id}`,
      },
      interval: 100,
      timeout: 600,
      version: () => 0,
      onUp: (m) => log?.push(`up ${m.id}`),
      onDown: (m, why) => log?.push(`down ${m.id} ${why}`),
      onVersion: () => {},
    });
  const a = make(ncA, "a", seenByA);
  const b = make(ncB, "b");
  const c = make(ncC, "c");
  a.start();
  b.start();
  c.start();
  await seenByA.waitFor("up b");
  await seenByA.waitFor("up c");
  assertEquals(a.others().map((m) => m.id).sort(), ["b", "c"]);

  b.close();
  await seenByA.waitFor("down b goodbye");

  // c goes silent without a goodbye (its connection dies)
  const silentAt = performance.now();
  await ncC.close();
  await seenByA.waitFor("down c timeout");
  const took = performance.now() - silentAt;
  assert(took >= 500, `timed out after ${took} ms`);
  assertEquals(a.others(), []);
  a.close();
  c.close();
  await ncA.close();
  await ncB.close();
});
