import { startWampServer, within } from "./_wire_helpers.ts";
import { wampy } from "./_wampy_helpers.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";

for (const serializer of ["json", "msgpack", "cbor"] as const) {
  Deno.test(`createWebSocketService() serves wampy ${serializer} pub/sub and RPC`, async () => {
    await using server = startWampServer();
    await using subscriber = await wampy(server.url, serializer);
    await using peer = await wampy(server.url, serializer);
    const event = Promise.withResolvers<
      { argsList?: unknown[]; argsDict?: unknown }
    >();
    await subscriber.subscribe("com.example.wampy", (e) => event.resolve(e));
    await peer.publish("com.example.wampy", {
      argsList: [1, "zwei"],
      argsDict: { drei: 3 },
    });
    const received = await within(event.promise, "wampy event");
    assertEquals(received.argsList, [1, "zwei"]);
    assertEquals(received.argsDict, { drei: 3 });

    await subscriber.register("com.example.double", (e) => ({
      argsList: [(e.argsList![0] as number) * 2],
    }));
    const result = await peer.call("com.example.double", [21]);
    assertEquals(result.argsList, [42]);
    const failure = await peer.call("com.example.missing").then(
      () => undefined,
      (e: { errorUri?: string; error?: string }) =>
        e.errorUri ?? e.error ?? String(e),
    );
    assert(String(failure).includes("no_such_procedure"), String(failure));
  });
}

Deno.test("createWebSocketService() passes bytes from wampy msgpack to wampy cbor", async () => {
  await using server = startWampServer();
  await using subscriber = await wampy(server.url, "cbor");
  await using publisher = await wampy(server.url, "msgpack");
  const event = Promise.withResolvers<{ argsList?: unknown[] }>();
  await subscriber.subscribe("com.example.bytes", (e) => event.resolve(e));
  await publisher.publish("com.example.bytes", {
    argsList: [new Uint8Array([9, 8, 7])],
  });
  const received = await within(event.promise, "wampy event");
  const bytes = received.argsList![0];
  assert(bytes instanceof Uint8Array, "expected bytes");
  assertEquals(Array.from(bytes), [9, 8, 7]);
});
