/**
 * IPv4 and IPv6 networks in CIDR form, for `require_ip`: validated by the
 * config, matched by the HTTP bridge. IPv4-mapped IPv6 client addresses
 * (`::ffff:10.0.0.1`) match IPv4 networks.
 *
 * @module
 */

/** A parsed network. */
export interface Network {
  /** The address bytes (4 for IPv4, 16 for IPv6). */
  readonly bytes: Uint8Array;
  /** The prefix length in bits. */
  readonly prefix: number;
}

const IPV4_REGEXP = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const PREFIX_REGEXP = /^\d{1,3}$/;

/**
 * Parses an IP address (`10.0.0.1`, `::1`, `[::1]`, zone ids dropped).
 *
 * @param text The address.
 * @returns 4 or 16 bytes, or `undefined` when it is not an address.
 */
export function parseAddress(text: string): Uint8Array | undefined {
  let t = text.trim();
  if (t.startsWith("[") && t.endsWith("]")) t = t.slice(1, -1);
  const zone = t.indexOf("%");
  if (zone >= 0) t = t.slice(0, zone);
  return parseIpv4(t) ?? parseIpv6(t);
}

/**
 * Parses `address[/prefix]`, or `a.b.c.d/m.m.m.m` with a dotted netmask; a
 * bare address is a one-host network. Host bits may be set
 * (`192.168.1.1/24` is the network `192.168.1.0/24`).
 *
 * @param text The network as written in the config.
 * @returns The network.
 * @throws {TypeError} When the text is not a network.
 */
export function parseNetwork(text: string): Network {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const bytes = parseAddress(address);
  if (bytes === undefined) {
    throw new TypeError(
      `Invalid network "${text}": expected an IPv4 or IPv6 address with an optional "/prefix"`,
    );
  }
  const bits = bytes.length * 8;
  if (slash < 0) return { bytes, prefix: bits };
  const prefixText = text.slice(slash + 1);
  if (bytes.length === 4 && IPV4_REGEXP.test(prefixText)) {
    const prefix = maskLength(parseIpv4(prefixText));
    if (prefix < 0) {
      throw new TypeError(
        `Invalid network "${text}": the netmask must be contiguous ones`,
      );
    }
    return { bytes, prefix };
  }
  const prefix = Number(prefixText);
  if (!PREFIX_REGEXP.test(prefixText) || prefix > bits) {
    throw new TypeError(
      `Invalid network "${text}": the prefix must be 0 to ${bits}`,
    );
  }
  return { bytes, prefix };
}

/**
 * Tells whether `address` lies in any of `networks`.
 *
 * @param address The client address, as text.
 * @param networks Parsed networks.
 * @returns `true` when one network contains the address.
 */
export function addressInNetworks(
  address: string,
  networks: readonly Network[],
): boolean {
  const bytes = parseAddress(address);
  if (bytes === undefined) return false;
  const mapped = unmapIpv4(bytes);
  return networks.some((network) =>
    contains(network, bytes) ||
    (mapped !== undefined && contains(network, mapped))
  );
}

/** The prefix length of a dotted netmask, or -1 when not contiguous. */
function maskLength(mask: Uint8Array | undefined): number {
  if (mask === undefined) return -1;
  const bits = [...mask].map((b) => b.toString(2).padStart(8, "0")).join("");
  if (!/^1*0*$/.test(bits)) return -1;
  const zero = bits.indexOf("0");
  return zero < 0 ? 32 : zero;
}

function contains(network: Network, bytes: Uint8Array): boolean {
  if (network.bytes.length !== bytes.length) return false;
  let bits = network.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((network.bytes[i] ?? 0) & mask) !== ((bytes[i] ?? 0) & mask)) {
      return false;
    }
  }
  return true;
}

function unmapIpv4(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length !== 16) return undefined;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return undefined;
  if (bytes[10] !== 0xff || bytes[11] !== 0xff) return undefined;
  return bytes.slice(12);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const match = IPV4_REGEXP.exec(text);
  if (!match) return undefined;
  const parts = match.slice(1).map(Number);
  if (parts.some((part) => part > 255)) return undefined;
  return new Uint8Array(parts);
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(":")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? "");
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? "") : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  });
  return bytes;
}

function parseGroups(text: string): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const groups: number[] = [];
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0));
      groups.push(((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      continue;
    }
    if (!/^[0-9A-Fa-f]{1,4}$/.test(part)) return undefined;
    groups.push(parseInt(part, 16));
  }
  return groups;
}
