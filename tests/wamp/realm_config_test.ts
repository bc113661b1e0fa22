/**
 * `createRouter` takes realms as written and applies the config schema's
 * defaults and checks (lib/wamp/_realm_config.ts).
 */
import assert from "node:assert/strict";
import { createRouter } from "../../lib/wamp/router.ts";

Deno.test("createRouter() applies the schema's realm defaults", async () => {
  await using router = createRouter({ realms: [{ name: "realm1" }] });
  const realm = router.realms().find((r) => r.name === "realm1");
  assert.ok(realm);
  assert.equal(realm.uriCheck, "strict");
  assert.equal(realm.metaEnabled, true);
});

Deno.test("createRouter() names the realm and key of a bad realm config", () => {
  assert.throws(
    () =>
      createRouter({
        realms: [{
          name: "realm1",
          options: { uri_check: "sloppy" as "loose" },
        }],
      }),
    (e: unknown) =>
      e instanceof TypeError &&
      /^Invalid realm config "realm1": options\.uri_check: /.test(e.message),
  );
});
