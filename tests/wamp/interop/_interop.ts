/**
 * Helpers for the interop tests: a router on a loopback port with the
 * accounts the real clients use, and runners for the clients that live
 * outside Deno (autobahn-python from Debian, autobahn-js 22 on Node).
 */
import type { RealmConfig } from "../../../lib/wamp/realm.ts";
import type { ServiceConfigInputOf } from "../../../lib/config/mod.ts";
import {
  ALLOW_ALL,
  startWampServer,
  type WampServer,
  within,
} from "../wire/_wire_helpers.ts";

/** The interop realm: `anonymous` discloses callers/publishers, `frontend` does not. */
export const INTEROP_REALM: RealmConfig = {
  name: "realm1",
  roles: [
    { name: "anonymous", permissions: [ALLOW_ALL] },
    {
      name: "frontend",
      permissions: [{
        ...ALLOW_ALL,
        disclose: { caller: false, publisher: false },
      }],
    },
  ],
};

/**
 * Anonymous, plus Crossbar's documented salted WAMP-CRA user: the secret is
 * the derived key of the password `secret1`.
 */
export const INTEROP_AUTH: NonNullable<
  ServiceConfigInputOf<"websocket">["auth"]
> = {
  anonymous: { type: "static", role: "anonymous" },
  wampcra: {
    type: "static",
    users: {
      sally: {
        secret: "prq7+YkJ1/KlW1X0YczMHw==",
        role: "frontend",
        salt: "salt123",
        iterations: 100,
        keylen: 16,
      },
    },
  },
};

/** Starts the interop router at `ws://127.0.0.1:<port>/ws`. */
export function startInteropServer(): WampServer {
  return startWampServer({ type: "websocket", auth: INTEROP_AUTH }, [
    INTEROP_REALM,
  ]);
}

/** Debian's Python, where python3-autobahn is installed. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

const PYTHON_CLIENT = new URL("./_autobahn_python.py", import.meta.url)
  .pathname;
const NODE_CLIENT = new URL("./_autobahn22_node.cjs", import.meta.url)
  .pathname;

/** Where `npm install autobahn@22` goes (outside the repository). */
export const NODE_AUTOBAHN_DIR = `${
  Deno.env.get("HOME") ?? "/tmp"
}/.cache/crossbar-deno-tests/node-autobahn22`;

/** A child process whose stdout is read line by line. */
export interface LineProcess extends AsyncDisposable {
  /** The next stdout line (rejects when stdout ends first). */
  nextLine(what: string): Promise<string>;
  /** Closes stdin and waits for the exit; rejects on a non-zero status. */
  finish(): Promise<void>;
}

/** Spawns `command` with `args`; its stdout is read line by line. */
export function spawnLines(
  command: string,
  args: string[],
): LineProcess {
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream())
    .pipeThrough(splitLines())
    [Symbol.asyncIterator]();
  const stderr = new Response(child.stderr).text();
  let finished: Promise<void> | undefined;
  const finish = () =>
    finished ??= (async () => {
      await child.stdin.close().catch(() => {});
      const status = await within(child.status, `${command} exit`);
      if (!status.success) {
        throw new Error(
          `${command} ${args[0]} exited with ${status.code}:\n${await stderr}`,
        );
      }
      await lines.return?.();
    })();
  return {
    async nextLine(what) {
      const next = await within(lines.next(), what, 60_000);
      if (next.done) {
        await finish();
        throw new Error(`${command} ended before ${what}:\n${await stderr}`);
      }
      return next.value;
    },
    finish,
    async [Symbol.asyncDispose]() {
      try {
        child.kill();
      } catch { /* already gone */ }
      await child.status;
      await stderr;
      await lines.return?.().catch(() => {});
    },
  };
}

function splitLines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) if (line.length > 0) controller.enqueue(line);
    },
    flush(controller) {
      if (rest.length > 0) controller.enqueue(rest);
    },
  });
}

/** Runs the autobahn-python client script in `mode` against `url`. */
export function autobahnPython(
  mode: "checks" | "callee",
  url: string,
): LineProcess {
  return spawnLines(SYSTEM_PYTHON, [PYTHON_CLIENT, mode, url]);
}

/**
 * Installs npm `autobahn@22` into {@link NODE_AUTOBAHN_DIR} unless it is
 * there already (`.ci/run` does this before the tests).
 */
export async function ensureNodeAutobahn22(): Promise<void> {
  try {
    await Deno.stat(`${NODE_AUTOBAHN_DIR}/node_modules/autobahn/package.json`);
    return;
  } catch { /* not installed yet */ }
  await Deno.mkdir(NODE_AUTOBAHN_DIR, { recursive: true });
  const out = await new Deno.Command("npm", {
    args: [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefix",
      NODE_AUTOBAHN_DIR,
      "autobahn@22",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `npm install autobahn@22 failed:\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
}

/** Runs the autobahn-js 22 Node client script with `args`. */
export async function autobahnNode(
  mode: "checks" | "caller",
  url: string,
): Promise<LineProcess> {
  await ensureNodeAutobahn22();
  return spawnLines("node", [NODE_CLIENT, mode, url, NODE_AUTOBAHN_DIR]);
}

/** Reads `count` JSON report lines from a client script. */
export async function reports(
  process: LineProcess,
  count: number,
): Promise<Record<string, unknown>[]> {
  const result: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    result.push(JSON.parse(await process.nextLine(`report ${i + 1}`)));
  }
  return result;
}
