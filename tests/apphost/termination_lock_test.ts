/**
 * The Web Lock an app thread holds so that its worker can be stopped even
 * in a busy loop (`holdTerminationLock` in lib/apphost/_lockdown.ts) is the
 * host's: the app neither sees it nor can take it away.
 */
import assert from "node:assert/strict";
import { get, hostApp } from "./_setup.ts";

Deno.test("an app sees its own Web Locks but not the host's, and may not steal it", async () => {
  await using app = await hostApp({ workers: 1 });
  const res = await get(`${app.url}/locks`);
  assert.equal(res.status, 200);
  const { held, refused } = JSON.parse(res.text);
  assert.deepEqual(held, ["app lock"]);
  assert.equal(refused, "NotAllowedError");
  assert.equal((await get(`${app.url}/counter`)).status, 200);
});
