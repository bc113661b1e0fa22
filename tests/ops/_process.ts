/**
 * Helpers for the operations tests: real node processes started from a
 * temporary project folder outside the checkout, their log lines awaited
 * as events (never sleeps).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { webNodeConfig } from "../_helpers/config.ts";

/** The checkout's root folder. */
export const CHECKOUT = fileURLToPath(new URL("../../", import.meta.url));

/** The Deno executable running the tests (the installed command needs it on PATH). */
export const DENO = Deno.execPath();

/** PATH with this Deno first, as a user's shell would have it. */
export function pathWithDeno(extra: string[] = []): string {
  return [...extra, dirname(DENO), Deno.env.get("PATH") ?? ""].join(":");
}

/** A temporary folder (outside the checkout), removed on dispose. */
export async function tempDir(
  prefix: string,
): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/** A running child process whose stderr/stdout lines can be awaited. */
export class NodeProcess implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #lines: string[] = [];
  #waiters: {
    test: RegExp;
    resolve: (m: RegExpMatchArray) => void;
    from: number;
  }[] = [];
  readonly #done: Promise<Deno.CommandStatus>;
  #exited = false;

  /** Spawns `command args` in `cwd`. */
  constructor(
    command: string,
    args: string[],
    options: { cwd: string; env?: Record<string, string> },
  ) {
    this.#child = new Deno.Command(command, {
      args,
      cwd: options.cwd,
      ...(options.env && { env: options.env }),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const pumps = [this.#child.stdout, this.#child.stderr].map((s) =>
      this.#pump(s)
    );
    this.#done = Promise.all([this.#child.status, ...pumps]).then(
      ([status]) => {
        this.#exited = true;
        for (const w of this.#waiters) w.resolve(null as never);
        this.#waiters = [];
        return status;
      },
    );
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Every line so far (stdout and stderr). */
  get output(): string {
    return this.#lines.join("\n");
  }

  /**
   * Resolves with the first line (after line number `from`) matching `test`.
   *
   * @throws {Error} When the process exits first.
   */
  async line(test: RegExp, from = 0): Promise<RegExpMatchArray> {
    for (let i = from; i < this.#lines.length; i++) {
      const m = this.#lines[i]!.match(test);
      if (m) return m;
    }
    if (this.#exited) {
      throw new Error(
        `process exited before a line matched ${test}:\n${this.output}`,
      );
    }
    const m = await new Promise<RegExpMatchArray | null>((resolve) =>
      this.#waiters.push({ test, resolve, from })
    );
    if (m === null) {
      throw new Error(
        `process exited before a line matched ${test}:\n${this.output}`,
      );
    }
    return m;
  }

  /** How many lines were seen so far (a `from` for {@link line}). */
  get mark(): number {
    return this.#lines.length;
  }

  /** The base URL from the node's "listening on" log line. */
  async url(): Promise<string> {
    const m = await this.line(/transport listening on (http:\/\/\S+)/);
    return m[1]!;
  }

  /** Sends a signal. */
  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Resolves with the exit status. */
  get status(): Promise<Deno.CommandStatus> {
    return this.#done;
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      rest += chunk;
      let at;
      while ((at = rest.indexOf("\n")) >= 0) {
        this.#add(rest.slice(0, at));
        rest = rest.slice(at + 1);
      }
    }
    if (rest) this.#add(rest);
  }

  #add(line: string): void {
    this.#lines.push(line);
    const index = this.#lines.length - 1;
    this.#waiters = this.#waiters.filter((w) => {
      if (index < w.from) return true;
      const m = line.match(w.test);
      if (m) w.resolve(m);
      return !m;
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.#exited) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // Gone already.
      }
    }
    await this.#done;
  }
}

/** Runs the node's `main.ts` from the checkout (`deno task start` style). */
export function startFromCheckout(
  args: string[],
  cwd: string,
  env?: Record<string, string>,
): NodeProcess {
  return new NodeProcess(
    DENO,
    [
      "run",
      "-A",
      "--config",
      join(CHECKOUT, "deno.json"),
      join(CHECKOUT, "main.ts"),
      ...args,
    ],
    { cwd, ...(env && { env }) },
  );
}

/** Runs `main.ts` once and collects its exit code and output. */
export async function runMain(
  args: string[],
  cwd: string,
): Promise<{ code: number; output: string }> {
  const out = await new Deno.Command(DENO, {
    args: [
      "run",
      "-A",
      "--config",
      join(CHECKOUT, "deno.json"),
      join(CHECKOUT, "main.ts"),
      ...args,
    ],
    cwd,
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    output: text.decode(out.stdout) + text.decode(out.stderr),
  };
}

/** A minimal node config: one web transport on a free loopback port. */
export function webConfig(
  paths: Record<string, unknown>,
  extra: { realms?: unknown[] } = {},
): unknown {
  return webNodeConfig(paths, { ...extra, options: { pythonpath: [".."] } });
}

/** Writes `config` as `<dir>/.crossbar/config.json`. */
export async function writeConfig(
  dir: string,
  config: unknown,
): Promise<string> {
  const cbdir = join(dir, ".crossbar");
  await Deno.mkdir(cbdir, { recursive: true });
  await Deno.writeTextFile(
    join(cbdir, "config.json"),
    JSON.stringify(config, null, 2),
  );
  return cbdir;
}

/**
 * A raw WAMP-over-WebSocket (JSON) client: enough to join, publish with
 * acknowledgement and see that a session is still connected.
 */
export class RawWamp implements AsyncDisposable {
  readonly #socket: WebSocket;
  readonly #inbox: unknown[][] = [];
  #wake: (() => void) | undefined;
  closed = false;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      this.#inbox.push(JSON.parse(String(event.data)));
      this.#wake?.();
    };
    socket.onclose = () => {
      this.closed = true;
      this.#wake?.();
    };
  }

  /** Connects and joins `realm`. */
  static async join(url: string, realm: string): Promise<RawWamp> {
    const socket = new WebSocket(url, ["wamp.2.json"]);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    const client = new RawWamp(socket);
    client.send([1, realm, {
      roles: { publisher: {}, subscriber: {}, caller: {} },
    }]);
    const welcome = await client.next();
    if (welcome[0] !== 2) {
      throw new Error(`no WELCOME: ${JSON.stringify(welcome)}`);
    }
    return client;
  }

  /** Sends one message. */
  send(message: unknown[]): void {
    this.#socket.send(JSON.stringify(message));
  }

  /** The next message received. */
  async next(): Promise<unknown[]> {
    while (this.#inbox.length === 0) {
      if (this.closed) throw new Error("WAMP connection closed");
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    return this.#inbox.shift()!;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.closed) return;
    const closed = new Promise<void>((resolve) => {
      this.#socket.addEventListener("close", () => resolve());
    });
    this.#socket.close();
    await closed;
  }
}
