/**
 * Two in-process routers joined through a real nats-server: `single`
 * registrations made on both before they knew each other are settled (the
 * later one is revoked), and shutting a member down cleanly is seen at once.
 */
import { joinCluster } from "../../lib/cluster/mod.ts";
import { startNatsServer } from "../../lib/cluster/nats_server.ts";
import { SILENT_LOGGER } from "../../lib/log/mod.ts";
import { createRouter } from "../../lib/wamp/router.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { eventually } from "./_cluster.ts";

const REALMS = [{
  name: "realm1",
  roles: [{
    name: "anonymous",
    permissions: [{
      uri: "",
      match: "prefix" as const,
      allow: { call: true, register: true, publish: true, subscribe: true },
    }],
  }],
}];

Deno.test("joinCluster() revokes the later of two clashing single registrations", async () => {
  await using nats = await startNatsServer();
  await using first = createRouter({ realms: REALMS, logger: SILENT_LOGGER });
  await using second = createRouter({ realms: REALMS, logger: SILENT_LOGGER });
  const a = await first.connectLocal({
    realm: "realm1",
    authrole: "anonymous",
  });
  await a.register("com.test.one", () => "first");
  // a later registration time on the second router
  const realmA = first.realms()[0]!;
  await eventually(
    () =>
      Date.now() >
        Date.parse(realmA.dealer.lookup("com.test.one", "exact")!.created),
    "the clock moves on",
  );
  const b = await second.connectLocal({
    realm: "realm1",
    authrole: "anonymous",
  });
  await b.register("com.test.one", () => "second");
  const options = {
    name: "settle",
    nats: { servers: [nats.url] },
    heartbeatInterval: 100,
    failureTimeout: 1000,
    logger: SILENT_LOGGER,
    hostLinks: true,
  };
  await using memberA = await joinCluster({
    ...options,
    realms: first.realms(),
  });
  await using memberB = await joinCluster({
    ...options,
    realms: second.realms(),
  });
  const realmB = second.realms()[0]!;
  await eventually(
    () => realmB.dealer.lookup("com.test.one", "exact") === undefined,
    "the later registration is revoked",
  );
  assertEquals(
    realmA.dealer.lookup("com.test.one", "exact")?.callees.length,
    1,
  );
  const result = await b.call("com.test.one");
  assertEquals(result.args, ["first"]);
  assertEquals(memberA.members().length, 2);

  await memberB.close();
  await eventually(() => memberA.members().length === 1, "goodbye seen");
  await a.close();
  await b.close();
});
