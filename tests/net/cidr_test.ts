import {
  addressInNetworks,
  parseAddress,
  parseNetwork,
} from "../../lib/net/cidr.ts";
import { assert, assertEquals, assertThrows } from "../_helpers/assert.ts";

Deno.test("parseAddress() reads IPv4, IPv6, bracketed and zoned addresses", () => {
  assertEquals(parseAddress("10.1.2.3"), new Uint8Array([10, 1, 2, 3]));
  assertEquals(
    parseAddress("::1"),
    new Uint8Array([...new Array(15).fill(0), 1]),
  );
  assertEquals(parseAddress("[::1]"), parseAddress("::1"));
  assertEquals(parseAddress("fe80::1%eth0"), parseAddress("fe80::1"));
  assertEquals(
    parseAddress("::ffff:1.2.3.4"),
    new Uint8Array([...new Array(10).fill(0), 255, 255, 1, 2, 3, 4]),
  );
  assertEquals(
    parseAddress("2001:db8:0:0:0:0:0:1"),
    parseAddress("2001:db8::1"),
  );
});

Deno.test("parseAddress() rejects what is not an address", () => {
  for (
    const text of [
      "",
      "256.1.1.1",
      "1.2.3",
      "localhost",
      "1::2::3",
      "12345::",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7::8",
    ]
  ) {
    assertEquals(parseAddress(text), undefined, text);
  }
});

Deno.test("parseNetwork() takes a prefix or a bare host and refuses bad prefixes", () => {
  assertEquals(parseNetwork("10.0.0.0/8").prefix, 8);
  assertEquals(parseNetwork("10.0.0.1").prefix, 32);
  assertEquals(parseNetwork("::/0").prefix, 0);
  assertEquals(parseNetwork("2001:db8::/32").prefix, 32);
  assertThrows(
    () => parseNetwork("10.0.0.0/33"),
    TypeError,
    "prefix must be 0 to 32",
  );
  assertThrows(() => parseNetwork("10.0.0.0/x"), TypeError, "10.0.0.0/x");
  assertThrows(() => parseNetwork("example.com/8"), TypeError, "IPv4 or IPv6");
});

Deno.test("addressInNetworks() matches IPv4 prefixes on bit boundaries", () => {
  const nets = [parseNetwork("192.168.0.0/23")];
  assert(addressInNetworks("192.168.0.7", nets));
  assert(addressInNetworks("192.168.1.255", nets));
  assert(!addressInNetworks("192.168.2.0", nets));
  assert(!addressInNetworks("10.0.0.1", nets));
  assert(addressInNetworks("anything", []) === false);
  assert(addressInNetworks("8.8.8.8", [parseNetwork("0.0.0.0/0")]));
});

Deno.test("addressInNetworks() matches IPv6 and IPv4-mapped IPv6 clients", () => {
  const nets = [parseNetwork("2001:db8::/32"), parseNetwork("127.0.0.0/8")];
  assert(addressInNetworks("2001:db8:ffff::1", nets));
  assert(!addressInNetworks("2001:db9::1", nets));
  assert(addressInNetworks("::ffff:127.0.0.1", nets));
  assert(!addressInNetworks("::1", nets));
  assert(addressInNetworks("::1", [parseNetwork("::1/128")]));
  assert(!addressInNetworks("127.0.0.1", [parseNetwork("::1/128")]));
});

Deno.test("parseNetwork() reads a dotted netmask as config does", () => {
  const network = parseNetwork("10.1.2.3/255.255.0.0");
  assertEquals(network.prefix, 16);
  assertEquals(addressInNetworks("10.1.200.9", [network]), true);
  assertEquals(addressInNetworks("10.2.0.1", [network]), false);
  assertThrows(
    () => parseNetwork("10.0.0.0/255.0.255.0"),
    TypeError,
    "contiguous",
  );
});
