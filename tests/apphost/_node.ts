/**
 * Attack tests against a real node: a project folder with apps from
 * `tests/testdata/apps/attack/`, a `.crossbar/config.json` with one web
 * transport on a free loopback port, and `main.ts start` as a child process.
 */
import { resolve } from "node:path";
import {
  type CliProcess,
  freePort,
  REPO_ROOT,
  spawnCli,
} from "../_helpers/node.ts";

/** Folder of the attack apps. */
export const ATTACK_DIR: string = resolve(
  REPO_ROOT,
  "tests/testdata/apps/attack",
);

/** A started node and its project folder. */
export interface AttackNode extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** The project folder (apps at its top, `.crossbar/` inside). */
  dir: string;
  cli: CliProcess;
}

/** Options of {@link startAttackNode}. */
export interface AttackNodeOptions {
  /** Path table of the web transport. */
  paths: Record<string, unknown>;
  /** Attack apps to copy into the project folder. */
  apps: string[];
  /** Runs before the node starts (e.g. to plant links). */
  prepare?: (dir: string) => void | Promise<void>;
  /** Extra top-level config keys for the router worker's transport. */
  transport?: Record<string, unknown>;
}

/** Writes a project and starts the node; dispose to stop and clean up. */
export async function startAttackNode(
  options: AttackNodeOptions,
): Promise<AttackNode> {
  const dir = await Deno.makeTempDir({ prefix: "cb-attack-" });
  await Deno.mkdir(resolve(dir, ".crossbar"));
  for (const app of options.apps) {
    await Deno.copyFile(resolve(ATTACK_DIR, app), resolve(dir, app));
  }
  const port = freePort();
  await Deno.writeTextFile(
    resolve(dir, ".crossbar/config.json"),
    JSON.stringify({
      version: 2,
      workers: [{
        type: "router",
        options: { pythonpath: [".."] },
        transports: [{
          type: "web",
          endpoint: { type: "tcp", port, interface: "127.0.0.1" },
          paths: options.paths,
          ...options.transport,
        }],
      }],
    }),
  );
  await options.prepare?.(dir);
  const cli = spawnCli(["start", "--cbdir", resolve(dir, ".crossbar")]);
  return {
    origin: `http://127.0.0.1:${port}`,
    dir,
    cli,
    async [Symbol.asyncDispose]() {
      await cli[Symbol.asyncDispose]();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Waits until the node logs that it started (or fails with its log). */
export async function started(node: AttackNode): Promise<void> {
  const line = await node.cli.waitForLine(
    /Node started|Could not start/,
    60_000,
  );
  if (!line.includes("Node started")) {
    throw new Error(`The node did not start:\n${node.cli.stderr()}`);
  }
}

/** Waits until the node logs that it could not start; returns its log. */
export async function failedToStart(node: AttackNode): Promise<string> {
  const line = await node.cli.waitForLine(
    /Node started|Could not start/,
    60_000,
  );
  if (line.includes("Node started")) {
    throw new Error(`The node started:\n${node.cli.stderr()}`);
  }
  return node.cli.stderr();
}

/** GET `url`, returning status and text. */
export async function fetchText(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, init);
  return { status: response.status, text: await response.text() };
}

/** A wsgi path for attack app `file` (export `app`). */
export function wsgi(
  file: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const module = file.replace(/\.ts$/, "");
  return { type: "wsgi", module, object: "app", ...extra };
}
