import { autobahnConnect, nextCall, startWampServer } from "./_wire_helpers.ts";
import { assertEquals } from "../../_helpers/assert.ts";

/** The seed example's router: realm1, role anonymous, permission "*". */
const SEED_REALM = {
  name: "realm1",
  roles: [{
    name: "anonymous",
    permissions: [{
      uri: "*",
      allow: { call: true, register: true, publish: true, subscribe: true },
      disclose: { caller: false, publisher: false },
      cache: true,
    }],
  }],
};

Deno.test('createWebSocketService() serves the seed config\'s "ws" path to autobahn-js', async () => {
  await using server = startWampServer({ type: "websocket" }, [SEED_REALM]);
  await using backend = await autobahnConnect(server.url);
  await using browser = await autobahnConnect(server.url);
  assertEquals(browser.welcome.authrole, "anonymous");
  assertEquals(browser.welcome.authmethod, "anonymous");
  await backend.session.register(
    "com.example.add2",
    (args: number[]) => args[0]! + args[1]!,
  );
  assertEquals(await browser.session.call("com.example.add2", [2, 3]), 5);
  const ticks = nextCall<[unknown[]]>();
  await browser.session.subscribe("com.example.oncounter", ticks.fn);
  await backend.session.publish("com.example.oncounter", [1]);
  assertEquals((await ticks.next())[0], [1]);
});
