import assert from "node:assert/strict";
import {
  CgiOutputError,
  readCgiHead,
} from "../../../lib/web/services/_cgi_output.ts";
import { serverNameAndPort } from "../../../lib/web/services/_cgi_env.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

Deno.test("readCgiHead() parses a head split across chunks and keeps the body", async () => {
  const head = await readCgiHead(
    streamOf("Content-Ty", "pe: text/plain\r\nX-A: 1\r", "\n\r\nbody ", "rest"),
  );
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-type"), "text/plain");
  assert.equal(head.headers.get("x-a"), "1");
  assert.equal(await new Response(head.body).text(), "body rest");
});

Deno.test("readCgiHead() reads Status and defaults Location to 302", async () => {
  const status = await readCgiHead(streamOf("Status: 201 Made\n\n"));
  assert.equal(status.status, 201);
  assert.equal(status.statusText, "Made");
  assert.equal(status.headers.has("status"), false);
  const redirect = await readCgiHead(streamOf("Location: http://x/\n\n"));
  assert.equal(redirect.status, 302);
});

Deno.test("readCgiHead() rejects missing, unfinished and malformed heads", async () => {
  const cases: [string[], RegExp][] = [
    [[], /no output/],
    [["Content-Type: text/plain\n"], /ended inside the head/],
    [["not a header\n\n"], /malformed header line/],
    [["Status: abc\n\n"], /malformed Status/],
    [["Status: 100 Continue\n\n"], /unsupported Status/],
    [[" folded: x\n\n"], /malformed header line/],
    [["X".repeat(70 * 1024)], /too long/],
  ];
  for (const [chunks, message] of cases) {
    await assert.rejects(readCgiHead(streamOf(...chunks)), (error) => {
      assert.ok(error instanceof CgiOutputError);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("serverNameAndPort() splits Host headers, IPv6 included", () => {
  assert.deepEqual(serverNameAndPort("example.com:8080", false), {
    name: "example.com",
    port: "8080",
  });
  assert.deepEqual(serverNameAndPort("example.com", true), {
    name: "example.com",
    port: "443",
  });
  assert.deepEqual(serverNameAndPort("[::1]:9000", false), {
    name: "[::1]",
    port: "9000",
  });
  assert.deepEqual(serverNameAndPort(null, false), {
    name: "localhost",
    port: "80",
  });
});
