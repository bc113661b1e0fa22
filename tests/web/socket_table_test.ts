/**
 * The socket table's reading of `/proc/net/tcp*`: which lines are the
 * listener's established connections, and peer addresses written exactly as
 * `Deno.serve` reports them (the header guard matches the two as strings).
 */
import { assertEquals } from "../_helpers/assert.ts";
import { formatAddress, parseTable } from "../../lib/web/_socket_table.ts";

// The kernel writes addresses as host-order words: these are a
// little-endian machine's (x86-64, arm64).
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const TCP6 =
  `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 20 4 30 10 -1
   2: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C351 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1
   3: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:C352 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000
   4: 00000000000000000000000001000000:C353 00000000000000000000000001000000:1F90 01 00000000:00000000 00:00000000 00000000     0        0 1005 1 0000000000000000 20 4 30 10 -1
   5: 00000000000000000000000001000000:1F91 00000000000000000000000001000000:C354 01 00000000:00000000 00:00000000 00000000     0        0 1006 1 0000000000000000 20 4 30 10 -1
`;

Deno.test({
  name: "parseTable() keeps only established connections on the local port",
  ignore: !LITTLE_ENDIAN,
  fn() {
    // Port 8080 is 1F90. Not the listener (0A), not TIME_WAIT (06), not a
    // connection out of port 8080's peer side, not another port.
    assertEquals(parseTable(TCP6, "1F90"), [
      { inode: "1002", hostname: "::ffff:127.0.0.1", port: 50000 },
      { inode: "1003", hostname: "::1", port: 50001 },
    ]);
  },
});

Deno.test({
  name: "formatAddress() writes addresses as Deno (Rust) does",
  ignore: !LITTLE_ENDIAN,
  fn() {
    const v6 = (groups: string) => {
      // Eight 16-bit groups to four host-order (little-endian) words.
      const bytes = groups.split(":").flatMap((g) => {
        const n = parseInt(g, 16);
        return [n >> 8, n & 255];
      });
      let hex = "";
      for (let i = 0; i < 16; i += 4) {
        for (const b of bytes.slice(i, i + 4).reverse()) {
          hex += b.toString(16).padStart(2, "0").toUpperCase();
        }
      }
      return formatAddress(hex);
    };
    assertEquals(formatAddress("0100007F"), "127.0.0.1");
    assertEquals(formatAddress("0202A8C0"), "192.168.2.2");
    assertEquals(v6("0:0:0:0:0:0:0:0"), "::");
    assertEquals(v6("0:0:0:0:0:0:0:1"), "::1");
    assertEquals(v6("0:0:0:0:0:ffff:c0a8:202"), "::ffff:192.168.2.2");
    assertEquals(v6("2001:db8:0:0:0:0:0:1"), "2001:db8::1");
    // A single zero group is written out; the first of equal runs is cut.
    assertEquals(v6("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
    assertEquals(v6("1:0:0:1:0:0:1:1"), "1::1:0:0:1:1");
    assertEquals(v6("1:0:0:1:0:0:0:1"), "1:0:0:1::1");
    assertEquals(v6("fe80:0:0:0:abcd:ef:0:0"), "fe80::abcd:ef:0:0");
  },
});

Deno.test("formatAddress() agrees with Deno's own remoteAddr", async () => {
  // A real connection: what Deno.serve reports for a peer against what the
  // socket table reads back for the same connection.
  const seen = Promise.withResolvers<string>();
  await using server = Deno.serve(
    { hostname: "::", port: 0, onListen: () => {} },
    (_request, info) => {
      seen.resolve((info.remoteAddr as Deno.NetAddr).hostname);
      return new Response("ok");
    },
  );
  const response = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  await response.text();
  assertEquals(await seen.promise, "::ffff:127.0.0.1");
  assertEquals(
    formatAddress("0000000000000000FFFF00000100007F"),
    await seen.promise,
  );
});
