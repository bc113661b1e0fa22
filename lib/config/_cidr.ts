/**
 * Parses IPv4/IPv6 networks in CIDR form, for `require_ip`.
 *
 * @module
 */

/** A parsed network. */
export interface Cidr {
  /** 4 or 6. */
  readonly version: 4 | 6;
  /** The address bytes (4 or 16). */
  readonly bytes: Uint8Array;
  /** The prefix length in bits. */
  readonly prefix: number;
}

const IPV4_REGEXP = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses `a.b.c.d[/n]`, `a.b.c.d/m.m.m.m` (netmask) or an IPv6 address with
 * an optional `/n`. A bare address is a single-host network. Host bits may
 * be set (`192.168.1.1/24` is the network `192.168.1.0/24`).
 *
 * @param text The network as written.
 * @returns The network, or `undefined` when the text is not one.
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = parseIpv4(address);
  const bytes = v4 ?? parseIpv6(address);
  if (bytes === undefined) return undefined;
  const bits = bytes.length * 8;
  let prefix = bits;
  if (prefixText !== undefined && v4 && IPV4_REGEXP.test(prefixText)) {
    prefix = maskLength(parseIpv4(prefixText));
    if (prefix < 0) return undefined;
  } else if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  return { version: v4 ? 4 : 6, bytes, prefix };
}

/** The prefix length of a dotted netmask, or -1 when not contiguous. */
function maskLength(mask: Uint8Array | undefined): number {
  if (mask === undefined) return -1;
  const bits = [...mask].map((b) => b.toString(2).padStart(8, "0")).join("");
  return /^1*0*$/.test(bits)
    ? bits.indexOf("0") < 0 ? 32 : bits.indexOf("0")
    : -1;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const m = IPV4_REGEXP.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return new Uint8Array(parts);
}

function parseIpv6(text: string): Uint8Array | undefined {
  if (!text.includes(":") || !/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  let hostname: string;
  try {
    hostname = new URL(`http://[${text}]/`).hostname;
  } catch {
    return undefined;
  }
  const groups = expandIpv6(hostname.slice(1, -1));
  if (groups === undefined) return undefined;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** Expands a canonical (URL-normalised, hex-only) IPv6 address to 8 groups. */
function expandIpv6(text: string): number[] | undefined {
  const [head, tail] = text.split("::") as [string, string | undefined];
  const parse = (s: string) =>
    s === "" ? [] : s.split(":").map((g) => parseInt(g, 16));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (tail === undefined && fill !== 0)) return undefined;
  return [...left, ...new Array<number>(fill).fill(0), ...right];
}
