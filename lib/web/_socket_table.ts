/**
 * The kernel's view of a listener's connections, for what `Deno.serve` does
 * not offer: knowing which connections are open, and closing one that never
 * made a request (Linux only).
 *
 * 1. {@link SocketTable.list} reads `/proc/net/tcp` (or `tcp6` for an IPv6
 *    listener, which also holds its IPv4-mapped clients) and returns the
 *    established connections on the listener's port, each with its socket
 *    inode and the peer address written as `Deno.serve` writes it.
 * 2. {@link SocketTable.shutdown} finds this process's descriptor of each
 *    inode (`/proc/self/fd`, cached between scans) and calls `shutdown(2)`
 *    on it through libc. The descriptor stays Deno's: the server then reads
 *    end-of-file and closes the connection itself, as it does when a client
 *    hangs up.
 *
 * An inode this process has no descriptor for (another process sharing the
 * port with `SO_REUSEPORT`) is left alone.
 *
 * @module
 */

/** An established connection on the listener's port. */
export interface TableConnection {
  /** The socket's inode: unique while the connection is open. */
  readonly inode: string;
  /** The peer's address, as `Deno.ServeHandlerInfo.remoteAddr` writes it. */
  readonly hostname: string;
  /** The peer's port. */
  readonly port: number;
}

/** The connections of one listener, and a way to close them. */
export interface SocketTable {
  /** The established connections on the listener's port. */
  list(): Promise<TableConnection[]>;
  /**
   * Shuts down this process's sockets with these inodes.
   *
   * @returns The inodes that were shut down; the others are not this
   * process's (or were already gone).
   */
  shutdown(inodes: readonly string[]): Promise<Set<string>>;
  /** Releases libc. Idempotent. */
  close(): void;
}

/** Raised when the system offers no socket table (not Linux, no FFI). */
export class SocketTableUnavailableError extends Error {
  /** Creates the error; `cause` is the underlying failure. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SocketTableUnavailableError";
  }
}

const SHUT_RDWR = 2;
const ESTABLISHED = "01";
const LIBC_NAMES = ["libc.so.6", "libc.so"];
const LIBC_SYMBOLS = {
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
} as const;

/**
 * Opens the socket table of a TCP listener.
 *
 * @param listener The listener's bound address.
 * @returns The table.
 * @throws {SocketTableUnavailableError} Off Linux, without `/proc`, or when
 * libc cannot be loaded (no FFI permission).
 */
export async function openSocketTable(
  listener: Deno.NetAddr,
): Promise<SocketTable> {
  if (Deno.build.os !== "linux") {
    throw new SocketTableUnavailableError(
      `it needs Linux's /proc (this is ${Deno.build.os})`,
    );
  }
  const file = listener.hostname.includes(":")
    ? "/proc/net/tcp6"
    : "/proc/net/tcp";
  try {
    await Deno.readTextFile(file);
  } catch (error) {
    throw new SocketTableUnavailableError(
      `cannot read ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return new ProcSocketTable(file, listener.port, loadLibc());
}

function loadLibc(): Deno.DynamicLibrary<typeof LIBC_SYMBOLS> {
  let lastError: unknown;
  for (const name of LIBC_NAMES) {
    try {
      return Deno.dlopen(name, LIBC_SYMBOLS);
    } catch (error) {
      lastError = error;
    }
  }
  throw new SocketTableUnavailableError(
    `cannot load libc for shutdown(2): ${(lastError as Error).message}`,
    { cause: lastError },
  );
}

class ProcSocketTable implements SocketTable {
  #file: string;
  #portHex: string;
  #libc: Deno.DynamicLibrary<typeof LIBC_SYMBOLS> | undefined;
  /** Socket inode to descriptor, from the last scan of `/proc/self/fd`. */
  #fds = new Map<string, number>();

  constructor(
    file: string,
    port: number,
    libc: Deno.DynamicLibrary<typeof LIBC_SYMBOLS>,
  ) {
    this.#file = file;
    this.#portHex = port.toString(16).toUpperCase().padStart(4, "0");
    this.#libc = libc;
  }

  async list(): Promise<TableConnection[]> {
    return parseTable(await Deno.readTextFile(this.#file), this.#portHex);
  }

  async shutdown(inodes: readonly string[]): Promise<Set<string>> {
    const done = new Set<string>();
    if (this.#libc === undefined) return done;
    if (inodes.some((inode) => !this.#fds.has(inode))) await this.#scan();
    for (const inode of inodes) {
      const fd = this.#fds.get(inode);
      // Checked and shut down in one synchronous step: the descriptor is
      // this thread's runtime's, so it cannot be closed and reused between.
      if (fd === undefined || readLink(fd) !== `socket:[${inode}]`) continue;
      if (this.#libc.symbols.shutdown(fd, SHUT_RDWR) === 0) done.add(inode);
      this.#fds.delete(inode);
    }
    return done;
  }

  close(): void {
    this.#libc?.close();
    this.#libc = undefined;
  }

  async #scan(): Promise<void> {
    const fds = new Map<string, number>();
    for await (const entry of Deno.readDir("/proc/self/fd")) {
      let link: string;
      try {
        link = await Deno.readLink(`/proc/self/fd/${entry.name}`);
      } catch {
        continue; // closed meanwhile
      }
      if (link.startsWith("socket:[")) {
        fds.set(link.slice(8, -1), Number(entry.name));
      }
    }
    this.#fds = fds;
  }
}

function readLink(fd: number): string | undefined {
  try {
    return Deno.readLinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/**
 * The established connections on local port `portHex` (4 upper-case hex
 * digits) in the text of `/proc/net/tcp` or `tcp6`.
 *
 * @param text The file's text.
 * @param portHex The local port, as the kernel writes it.
 * @returns The connections.
 */
export function parseTable(text: string, portHex: string): TableConnection[] {
  const connections: TableConnection[] = [];
  const localSuffix = `:${portHex} `;
  const localEnd = `:${portHex}`;
  let start = text.indexOf("\n") + 1; // skip the header line
  while (start > 0 && start < text.length) {
    const end = text.indexOf("\n", start);
    const line = text.slice(start, end === -1 ? text.length : end);
    start = end + 1;
    if (!line.includes(localSuffix)) continue;
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const remote = fields[2];
    const inode = fields[9];
    if (
      local === undefined || remote === undefined || inode === undefined ||
      !local.endsWith(localEnd) || fields[3] !== ESTABLISHED
    ) continue;
    const colon = remote.indexOf(":");
    connections.push({
      inode,
      hostname: formatAddress(remote.slice(0, colon)),
      port: parseInt(remote.slice(colon + 1), 16),
    });
  }
  return connections;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * An address from `/proc/net/tcp*` (host-order 32-bit words in hex) written
 * as Deno (Rust's `Display`) writes it: dotted IPv4; IPv6 with the longest
 * run of two or more zero groups as `::`, and `::ffff:a.b.c.d` for mapped
 * IPv4.
 *
 * @param hex 8 or 32 hex digits.
 * @returns The address.
 */
export function formatAddress(hex: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 8) {
    const word = parseInt(hex.slice(i, i + 8), 16);
    const big = [
      word >>> 24,
      (word >>> 16) & 255,
      (word >>> 8) & 255,
      word & 255,
    ];
    bytes.push(...(LITTLE_ENDIAN ? big.reverse() : big));
  }
  if (bytes.length === 4) return bytes.join(".");
  const mapped = bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 255 && bytes[11] === 255;
  if (mapped) return `::ffff:${bytes.slice(12).join(".")}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes[i]! * 256 + bytes[i + 1]!);
  return formatGroups(groups);
}

function formatGroups(groups: number[]): string {
  let bestStart = -1;
  let bestLength = 1; // a single zero group is written out
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(":");
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${
    hex(groups.slice(bestStart + bestLength))
  }`;
}
