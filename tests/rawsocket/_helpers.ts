/**
 * Helpers for the RawSocket, universal and longpoll tests: a node with an
 * open realm, autobahn-js connections over any transport, autobahn-python
 * processes, and a raw stream client.
 */
import autobahn from "autobahn";
import { resolve } from "node:path";
import { createLogger, type Logger } from "../../lib/log/mod.ts";
import { openRealm } from "../_helpers/config.ts";

autobahn.log.warn = () => {};
autobahn.log.debug = () => {};

/** An autobahn-js session (untyped package). */
// deno-lint-ignore no-explicit-any
export type AbSession = any;

/** A realm where the anonymous role may do everything, with disclosure. */
export const OPEN_REALM = openRealm({
  disclose: { caller: true, publisher: true },
});

/** A loopback tcp endpoint on a free port. */
export const LOOPBACK = { type: "tcp", port: 0, interface: "127.0.0.1" };

/** A logger that keeps every line (warn and up by default). */
export function recordingLogger(level: "warn" | "info" | "debug" = "warn"): {
  logger: Logger;
  lines: string[];
  waitFor(pattern: RegExp): Promise<string>;
} {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const logger = createLogger({
    level,
    write: (line) => {
      lines.push(line);
      for (const wake of [...waiters]) wake();
    },
  });
  return {
    logger,
    lines,
    waitFor: (pattern) =>
      new Promise((done) => {
        const check = () => {
          const line = lines.find((l) => pattern.test(l));
          if (line === undefined) return;
          waiters.delete(check);
          done(line);
        };
        waiters.add(check);
        check();
      }),
  };
}

/** An open autobahn-js connection. */
export interface AbClient extends AsyncDisposable {
  readonly session: AbSession;
  /** WELCOME.Details as autobahn-js reports them. */
  readonly details: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Opens an autobahn-js session with the given transport options
 * (`{url}` for WebSocket, `{transports: [...]}` for RawSocket/longpoll).
 */
export function autobahnConnect(
  options: Record<string, unknown>,
  realm = "realm1",
): Promise<AbClient> {
  const closed = Promise.withResolvers<void>();
  return new Promise((resolveOpen, reject) => {
    const connection = new autobahn.Connection({
      realm,
      max_retries: 0,
      retry_if_unreachable: false,
      on_user_error: () => {},
      ...options,
    });
    let isOpen = false;
    const close = async () => {
      if (connection.isOpen) connection.close();
      await closed.promise;
    };
    connection.onopen = (
      session: AbSession,
      details: Record<string, unknown>,
    ) => {
      isOpen = true;
      resolveOpen({ session, details, close, [Symbol.asyncDispose]: close });
    };
    connection.onclose = (reason: string, details: unknown) => {
      if (!isOpen) {
        reject(new Error(`autobahn-js: ${reason} ${JSON.stringify(details)}`));
      }
      closed.resolve();
      return true;
    };
    connection.open();
  });
}

const CLIENT = resolve(import.meta.dirname!, "_clients/autobahn_rawsocket.py");

/**
 * Runs the autobahn-python RawSocket client in `selftest` mode and returns
 * the JSON line it prints.
 */
export async function pythonSelftest(
  url: string,
  serializer: string,
  unixPath?: string,
): Promise<Record<string, unknown>> {
  const args = [CLIENT, "selftest", url, serializer, "realm1"];
  if (unixPath !== undefined) args.push(unixPath);
  const output = await new Deno.Command("/usr/bin/python3", {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const line = stdout.split("\n").find((l) => l.startsWith("{"));
  if (line === undefined) {
    throw new Error(
      `autobahn-python (${serializer}) printed no result:\n${stdout}\n${
        new TextDecoder().decode(output.stderr)
      }`,
    );
  }
  return JSON.parse(line);
}

/** A long-running autobahn-python callee/subscriber. */
export interface PythonPeer extends AsyncDisposable {
  /** Resolves with the next stdout line matching `pattern`. */
  waitForLine(pattern: RegExp): Promise<string>;
}

/** Starts the autobahn-python client in `callee` mode; resolves on READY. */
export async function pythonCallee(
  url: string,
  serializer: string,
): Promise<PythonPeer> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: [CLIENT, "callee", url, serializer, "realm1"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  const stderr = new Response(child.stderr).text();
  const reading = (async () => {
    let rest = "";
    for await (
      const chunk of child.stdout.pipeThrough(new TextDecoderStream())
    ) {
      rest += chunk;
      const parts = rest.split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
      for (const wake of [...waiters]) wake();
    }
    ended = true;
    for (const wake of [...waiters]) wake();
  })();
  let seen = 0;
  const waitForLine = (pattern: RegExp) =>
    new Promise<string>((done, fail) => {
      const check = () => {
        while (seen < lines.length) {
          const line = lines[seen++]!;
          if (pattern.test(line)) {
            waiters.delete(check);
            return done(line);
          }
        }
        if (ended) {
          waiters.delete(check);
          stderr.then((text) =>
            fail(
              new Error(
                `autobahn-python exited:\n${lines.join("\n")}\n${text}`,
              ),
            )
          );
        }
      };
      waiters.add(check);
      check();
    });
  await waitForLine(/^READY$/);
  return {
    waitForLine,
    async [Symbol.asyncDispose]() {
      await child.stdin.close().catch(() => {});
      await child.status;
      await reading;
      await stderr;
    },
  };
}

/** A raw stream client for handshake and framing tests. */
export interface RawClient extends Disposable {
  write(bytes: number[] | Uint8Array): Promise<void>;
  /** Exactly `n` octets, or `null` if the server closed first. */
  read(n: number): Promise<Uint8Array | null>;
  /** Resolves once the server has closed the connection. */
  closed(): Promise<void>;
}

/** Connects a {@link RawClient} to `port` on 127.0.0.1. */
export async function rawConnect(port: number): Promise<RawClient> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let pending = new Uint8Array(0);
  let eof = false;
  const fill = async () => {
    const buffer = new Uint8Array(65536);
    let n: number | null;
    try {
      n = await conn.read(buffer);
    } catch {
      n = null;
    }
    if (n === null) {
      eof = true;
      return;
    }
    const joined = new Uint8Array(pending.length + n);
    joined.set(pending);
    joined.set(buffer.subarray(0, n), pending.length);
    pending = joined;
  };
  return {
    async write(bytes) {
      const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
      let offset = 0;
      while (offset < data.length) {
        offset += await conn.write(data.subarray(offset));
      }
    },
    async read(n) {
      while (pending.length < n && !eof) await fill();
      if (pending.length < n) return null;
      const out = pending.slice(0, n);
      pending = pending.subarray(n);
      return out;
    },
    async closed() {
      while (!eof) {
        pending = new Uint8Array(0);
        await fill();
      }
    },
    [Symbol.dispose]() {
      try {
        conn.close();
      } catch { /* already closed */ }
    },
  };
}

/** The port of a node transport URL (`rs://127.0.0.1:1234`). */
export function portOf(url: string): number {
  return Number(new URL(url.replace(/^rss?:/, "http:")).port);
}
