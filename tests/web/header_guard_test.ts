/**
 * The header guard's policy against a scripted socket table: which listed
 * connections it shuts down, and which it leaves alone (a request still
 * being answered, a WebSocket, another process's connection).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { createLogger } from "../../lib/log/mod.ts";
import { HeaderGuard } from "../../lib/web/_header_guard.ts";
import type {
  SocketTable,
  TableConnection,
} from "../../lib/web/_socket_table.ts";

const QUIET = createLogger({ level: "error", write: () => {} });
const LISTENER: Deno.NetAddr = {
  transport: "tcp",
  hostname: "127.0.0.1",
  port: 8080,
};

/** A socket table whose connections the test sets; records shutdowns. */
class ScriptedTable implements SocketTable {
  connections: TableConnection[] = [];
  /** Inodes that belong to another process. */
  foreign = new Set<string>();
  shut: string[] = [];
  /** Every inode the guard asked to shut down. */
  asked: string[] = [];
  #waiters: { inode: string; wake: () => void }[] = [];

  list(): Promise<TableConnection[]> {
    return Promise.resolve([...this.connections]);
  }

  shutdown(inodes: readonly string[]): Promise<Set<string>> {
    this.asked.push(...inodes);
    const done = new Set<string>();
    for (const inode of inodes) {
      if (this.foreign.has(inode)) continue;
      done.add(inode);
      this.shut.push(inode);
      this.connections = this.connections.filter((c) => c.inode !== inode);
      for (const waiter of this.#waiters.filter((w) => w.inode === inode)) {
        waiter.wake();
      }
    }
    return Promise.resolve(done);
  }

  /** Resolves once `inode` has been shut down. */
  shutDown(inode: string): Promise<void> {
    if (this.shut.includes(inode)) return Promise.resolve();
    return new Promise((wake) => this.#waiters.push({ inode, wake }));
  }

  close(): void {}
}

/** A request's `Deno.serve` info whose response ends when told. */
function request(port: number) {
  const sent = Promise.withResolvers<void>();
  const info = {
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port },
    completed: sent.promise,
  } as Deno.ServeHandlerInfo<Deno.NetAddr>;
  return { info, remote: info.remoteAddr, sent };
}

function connection(inode: string, port: number): TableConnection {
  return { inode, hostname: "127.0.0.1", port };
}

Deno.test("HeaderGuard shuts down idle connections and leaves busy, upgraded and foreign ones", async () => {
  const table = new ScriptedTable();
  const guard = new HeaderGuard(table, {
    listener: LISTENER,
    timeout: 0.3,
    logger: QUIET,
  });
  try {
    // 1: never sends a request. 2: a request still being answered. 3: a
    // WebSocket. 4: another process's. 5: answered, then idle. 6: shares
    // port 5's number from another host, never sends a request.
    table.connections = [
      connection("1", 40001),
      connection("2", 40002),
      connection("3", 40003),
      connection("4", 40004),
      connection("5", 40005),
      { inode: "6", hostname: "10.0.0.9", port: 40005 },
    ];
    table.foreign.add("4");
    const busy = request(40002);
    guard.track(busy.info, busy.remote);
    const ws = request(40003);
    guard.track(ws.info, ws.remote).upgraded();
    ws.sent.resolve();
    const answered = request(40005);
    guard.track(answered.info, answered.remote);
    answered.sent.resolve();
    await Promise.all(["1", "5", "6"].map((inode) => table.shutDown(inode)));
    assertEquals(table.shut.sort(), ["1", "5", "6"]);
    // The busy one goes once its response has been sent and it idled.
    busy.sent.resolve();
    await table.shutDown("2");
    assert(!table.shut.includes("3"), "the WebSocket was shut down");
    assert(!table.shut.includes("4"), "another process's connection");
    // Which is tried once, then left alone.
    assertEquals(table.asked.filter((inode) => inode === "4"), ["4"]);
  } finally {
    await guard.close();
  }
});
