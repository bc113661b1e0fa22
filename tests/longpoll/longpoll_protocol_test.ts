/**
 * The long-poll protocol over the wire, request by request (WAMP spec
 * "HTTP Longpoll Transport", Crossbar's answers): open/send/receive/close,
 * batched JSON, MessagePack, CORS, bad input and the session timeout.
 */
import { decode, encode } from "@msgpack/msgpack";
import { assertEquals, assertStringIncludes } from "../_helpers/assert.ts";
import { hostNode } from "../../lib/node/host.ts";
import {
  LOOPBACK,
  OPEN_REALM,
  recordingLogger,
} from "../rawsocket/_helpers.ts";

async function startLongPollNode(options: Record<string, unknown> = {}) {
  const log = recordingLogger("info");
  const node = await hostNode({
    version: 2,
    workers: [{
      type: "router",
      realms: [OPEN_REALM],
      transports: [{
        type: "web",
        endpoint: LOOPBACK,
        paths: { lp: { type: "longpoll", options } },
      }],
    }],
  }, { logger: log.logger });
  return { node, log, base: node.url + "/lp" };
}

function post(url: string, body?: BodyInit, origin?: string) {
  return fetch(url, {
    method: "POST",
    ...(body === undefined ? {} : { body }),
    headers: origin ? { origin } : {},
  });
}

const HELLO = [1, "realm1", { roles: { subscriber: {}, caller: {} } }];

Deno.test("longpoll: open, send HELLO, receive WELCOME, close (JSON, batched JSON)", async () => {
  const { node, base } = await startLongPollNode();
  try {
    for (const protocol of ["wamp.2.json", "wamp.2.json.batched"]) {
      const opened = await post(
        `${base}/open`,
        JSON.stringify({ protocols: ["wamp.2.xml", protocol] }),
        "http://example.com",
      );
      assertEquals(opened.status, 200);
      assertEquals(
        opened.headers.get("access-control-allow-origin"),
        "http://example.com",
      );
      assertEquals(
        opened.headers.get("access-control-allow-credentials"),
        "true",
      );
      assertStringIncludes(opened.headers.get("cache-control")!, "no-store");
      const info = await opened.json();
      assertEquals(info.protocol, protocol);
      assertEquals(typeof info.transport, "string");
      assertEquals(info.transport.length, 12);
      const batched = protocol.endsWith(".batched");
      const frame = JSON.stringify(HELLO) + (batched ? "\x1e" : "");
      const sent = await post(`${base}/${info.transport}/send`, frame);
      assertEquals(sent.status, 204);
      const received = await post(`${base}/${info.transport}/receive`);
      assertEquals(received.status, 200);
      assertStringIncludes(received.headers.get("content-type")!, "json");
      const text = await received.text();
      assertEquals(text.endsWith("\x1e"), batched);
      const welcome = JSON.parse(batched ? text.slice(0, -1) : text);
      assertEquals(welcome[0], 2);
      assertEquals(Number.isInteger(welcome[1]), true);
      const described = await fetch(`${base}/${info.transport}`);
      assertEquals(await described.json(), {
        transport: info.transport,
        protocol,
      });
      const closed = await post(`${base}/${info.transport}/close`);
      assertEquals(closed.status, 204);
      const gone = await post(`${base}/${info.transport}/receive`);
      assertEquals(gone.status, 404);
      await gone.body?.cancel();
    }
    assertEquals(node.routers[0]!.stats().realms[0]!.sessions, 0);
  } finally {
    await node.close();
  }
});

Deno.test("longpoll: MessagePack bodies both ways", async () => {
  const { node, base } = await startLongPollNode();
  try {
    const opened = await post(
      `${base}/open`,
      JSON.stringify({ protocols: ["wamp.2.msgpack"] }),
    );
    const { transport } = await opened.json();
    await (await post(`${base}/${transport}/send`, encode(HELLO))).body
      ?.cancel();
    const received = await post(`${base}/${transport}/receive`);
    assertEquals(received.headers.get("content-type"), "application/x-msgpack");
    const welcome = decode(new Uint8Array(await received.arrayBuffer())) as [
      number,
      number,
    ];
    assertEquals(welcome[0], 2);
  } finally {
    await node.close();
  }
});

Deno.test("longpoll: an idle receive is answered with 204 after request_timeout", async () => {
  const { node, base } = await startLongPollNode({ request_timeout: 1 });
  try {
    const { transport } = await (await post(
      `${base}/open`,
      JSON.stringify({ protocols: ["wamp.2.json"] }),
    )).json();
    // Nothing is queued before HELLO: the poll is held, then released.
    const idle = await post(`${base}/${transport}/receive`);
    assertEquals(idle.status, 204);
  } finally {
    await node.close();
  }
});

Deno.test("longpoll: bad open requests get 400, unknown transports 404, GET on the base a notice", async () => {
  const { node, base } = await startLongPollNode();
  try {
    const cases: [string, RegExp][] = [
      ["{not json", /not JSON/],
      ["[1]", /must be an object/],
      ["{}", /"protocols" \(a list\) is missing/],
      ['{"protocols": ["wamp.2.xml"]}', /none of the offered protocols/],
    ];
    for (const [body, says] of cases) {
      const response = await post(`${base}/open`, body);
      assertEquals(response.status, 400);
      const text = await response.text();
      assertEquals(says.test(text), true, text);
    }
    const unknown = await post(`${base}/AAAAAAAAAAAA/send`, "[]");
    assertEquals(unknown.status, 404);
    await unknown.body?.cancel();
    const notice = await fetch(base);
    assertEquals(notice.status, 200);
    assertStringIncludes(await notice.text(), "long-poll");
    const preflight = await fetch(`${base}/open`, {
      method: "OPTIONS",
      headers: {
        origin: "http://app.example",
        "access-control-request-headers": "content-type",
      },
    });
    assertEquals(preflight.status, 204);
    assertEquals(
      preflight.headers.get("access-control-allow-headers"),
      "content-type",
    );
    // An undecodable send is a 400 and the transport stays.
    const { transport } = await (await post(
      `${base}/open`,
      JSON.stringify({ protocols: ["wamp.2.json"] }),
    )).json();
    const bad = await post(`${base}/${transport}/send`, "[1, oops");
    assertEquals(bad.status, 400);
    await bad.body?.cancel();
  } finally {
    await node.close();
  }
});

Deno.test("longpoll: a session with no request for session_timeout is closed", async () => {
  const { node, base, log } = await startLongPollNode({ session_timeout: 1 });
  try {
    const { transport } = await (await post(
      `${base}/open`,
      JSON.stringify({ protocols: ["wamp.2.json"] }),
    )).json();
    await (await post(`${base}/${transport}/send`, JSON.stringify(HELLO)))
      .body?.cancel();
    await log.waitFor(/session inactive/);
    const gone = await post(`${base}/${transport}/receive`);
    assertEquals(gone.status, 404);
    await gone.body?.cancel();
    assertEquals(node.routers[0]!.stats().realms[0]!.sessions, 0);
  } finally {
    await node.close();
  }
});
