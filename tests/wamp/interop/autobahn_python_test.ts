/**
 * autobahn-python (Debian's python3-autobahn, /usr/bin/python3) in its
 * default configuration and with each serializer: one Python process runs
 * every check and reports; see `_autobahn_python.py`.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { autobahnPython, reports, startInteropServer } from "./_interop.ts";

/** Crossbar's session detail keys (SessionDetails.marshal()). */
const SESSION_KEYS = [
  "authextra",
  "authid",
  "authmethod",
  "authprovider",
  "authrole",
  "realm",
  "resumable",
  "resume_token",
  "resumed",
  "serializer",
  "session",
  "transport",
];

Deno.test("autobahn-python joins, calls, registers, publishes and subscribes with its defaults and each serializer", async () => {
  await using server = startInteropServer();
  await using python = autobahnPython("checks", server.url);
  const got = await reports(python, 7);
  const byOffer = new Map(got.map((r) => [r.offer, r]));
  const expected: Record<string, string> = {
    // autobahn offers "wamp.2.cbor.batched,wamp.2.cbor,…" (no spaces).
    default: "wamp.2.cbor.batched",
    json: "wamp.2.json",
    msgpack: "wamp.2.msgpack",
    cbor: "wamp.2.cbor",
    "json_batched": "wamp.2.json.batched",
  };
  for (const [offer, protocol] of Object.entries(expected)) {
    const r = byOffer.get(offer)!;
    assert(r !== undefined, `no report for ${offer}`);
    assertEquals(r.protocol, protocol, offer);
    // WAMP IDs arrive as integers (autobahn refuses a float ID outright).
    for (
      const key of ["session", "registration", "subscription", "publication"]
    ) {
      assertEquals(r[`${key}_id_type`], "int", `${offer}: ${key} id`);
    }
    // 2^53-1, -(2^53-1) and 2^32 stay integers; 1.5 stays a float.
    assertEquals(
      r.echo_types,
      ["int", "int", "int", "int", "float", "str", "bytes"],
      offer,
    );
    assertEquals(r.echo_equal, true, offer);
    assertEquals(r.event, [2 ** 53 - 1, "hello"], offer);
    assertEquals(r.event_types, ["int", "str"], offer);
    assertEquals(r.meta_keys, SESSION_KEYS, offer);
    assertEquals(r.meta_realm, "realm1", offer);
    assertEquals(r.meta_transport_protocol, protocol, offer);
  }
  assertEquals(byOffer.get("wampcra"), {
    offer: "wampcra",
    authid: "sally",
    authrole: "frontend",
    protocol: "wamp.2.cbor.batched",
  });
  const wrong = byOffer.get("wampcra_wrong")!;
  assertEquals(wrong.joined, false);
  assert(
    String(wrong.error).includes("wamp.error.not_authorized"),
    String(wrong.error),
  );
  await python.finish();
});
