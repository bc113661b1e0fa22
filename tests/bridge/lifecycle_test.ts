import { createCallerService } from "../../lib/bridge/mod.ts";
import { SILENT_LOGGER } from "../../lib/log/logger.ts";
import { createRouter } from "../../lib/wamp/mod.ts";
import type { ServeContext } from "../../lib/web/path_service.ts";
import { assertEquals } from "../_helpers/assert.ts";
import { callerConfig, REALMS } from "./_helpers.ts";

function context(): ServeContext {
  return {
    prefix: "/call",
    rest: "/",
    search: "",
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 40000 },
    secure: false,
    signal: new AbortController().signal,
  };
}

function callRequest(procedure: string): Request {
  return new Request("http://node/call", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ procedure }),
  });
}

Deno.test("createCallerService() close() waits for an in-flight call, then refuses new requests with 503", async () => {
  const router = createRouter({ realms: REALMS, logger: SILENT_LOGGER });
  const callee = await router.connectLocal({
    realm: "realm1",
    authrole: "anonymous",
  });
  const { promise: release, resolve } = Promise.withResolvers<string>();
  const { promise: invoked, resolve: onInvoked } = Promise.withResolvers<
    void
  >();
  await callee.register("com.example.slow", () => {
    onInvoked();
    return release;
  });
  const service = createCallerService(
    callerConfig({ type: "caller", realm: "realm1", role: "anonymous" }),
    { cbdir: ".", logger: SILENT_LOGGER, router },
  );
  const pending = service.handle(callRequest("com.example.slow"), context());
  await invoked;
  const order: string[] = [];
  const closing = service.close(Date.now() + 10_000).then(() => {
    order.push("closed");
  });
  resolve("done");
  const response = await pending;
  order.push("answered");
  assertEquals(response.status, 200);
  assertEquals(await response.json(), { args: ["done"] });
  await closing;
  assertEquals(order, ["answered", "closed"]);
  const late = await service.handle(callRequest("com.example.slow"), context());
  assertEquals(late.status, 503);
  await late.body?.cancel();
  await service.close();
  await callee.close();
  await router.close();
});
