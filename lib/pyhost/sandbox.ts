/**
 * The bubblewrap (`bwrap`) command line that confines a hosted Python
 * process. What the sandbox grants:
 *
 * - read-only: `/usr` (the interpreter and Debian's Python libraries), the
 *   app's `sys.path` folder, the node's helper files and the configured
 *   `read` paths; read-write: the configured `write` paths and the private
 *   folder holding the app's unix socket; a fresh `/tmp`, a minimal `/dev`
 *   and a `/proc` of its own PID namespace;
 * - no network (a new, empty network namespace) unless `net` is granted;
 * - an empty environment plus the variables `env` grants;
 * - every Linux capability dropped, new user/IPC/UTS/cgroup namespaces, its
 *   own session (no terminal), and killed when the node dies.
 *
 * @module
 */

/** The bubblewrap executable. */
export const BWRAP = "bwrap";

/** What a sandboxed process may see. */
export interface SandboxOptions {
  /** Folders and files mounted read-only at the same path. */
  readonly readOnly: readonly string[];
  /** Folders inside those mounts replaced by an empty one (the node directory). */
  readonly hideDirs?: readonly string[];
  /** Files inside those mounts replaced by an empty one (config, keys). */
  readonly hideFiles?: readonly string[];
  /** Further read-only mounts, made after the hiding (configured grants). */
  readonly grants?: readonly string[];
  /** Folders mounted read-write at the same path. */
  readonly writable: readonly string[];
  /** The environment, exactly (nothing else is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** Share the node's network namespace. @default false */
  readonly network?: boolean;
  /** The working directory inside the sandbox. */
  readonly cwd: string;
}

/**
 * Builds the `bwrap` arguments that run `command` in the sandbox.
 *
 * @param command The program and its arguments.
 * @param options Mounts, environment and network.
 * @returns The arguments to pass to {@link BWRAP}.
 *
 * @example No network, one read-only app folder
 * ```ts
 * import { sandboxArgs } from "./sandbox.ts";
 * const args = sandboxArgs(["/usr/bin/python3", "-c", "print(1)"], {
 *   readOnly: ["/srv/app"], writable: [], env: {}, cwd: "/srv/app",
 * });
 * if (!args.includes("--unshare-all") || args.includes("--share-net")) {
 *   throw new Error("the sandbox must not have the network");
 * }
 * ```
 */
export function sandboxArgs(
  command: readonly string[],
  options: SandboxOptions,
): string[] {
  const args = [
    "--unshare-all",
    ...(options.network ? ["--share-net"] : []),
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--clearenv",
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--symlink",
    "usr/bin",
    "/bin",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--tmpfs",
    "/tmp",
  ];
  if (options.network) {
    for (const file of ["/etc/resolv.conf", "/etc/hosts", "/etc/ssl"]) {
      args.push("--ro-bind-try", file, file);
    }
  }
  for (const path of options.readOnly) args.push("--ro-bind", path, path);
  for (const path of options.hideDirs ?? []) args.push("--tmpfs", path);
  for (const path of options.hideFiles ?? []) {
    args.push("--ro-bind", "/dev/null", path);
  }
  for (const path of options.grants ?? []) args.push("--ro-bind", path, path);
  for (const path of options.writable) args.push("--bind", path, path);
  for (const [name, value] of Object.entries(options.env)) {
    args.push("--setenv", name, value);
  }
  args.push("--chdir", options.cwd, "--", ...command);
  return args;
}

/**
 * The command that runs `command` in the sandbox: no stdin, stderr piped,
 * stdout piped or discarded, and only `PATH` for `bwrap` itself.
 */
export function sandboxCommand(
  command: readonly string[],
  options: SandboxOptions,
  stdout: "piped" | "null" = "piped",
): Deno.Command {
  return new Deno.Command(BWRAP, {
    args: sandboxArgs(command, options),
    stdin: "null",
    stdout,
    stderr: "piped",
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin" },
  });
}

/** How a run of {@link runInSandbox} that did not exit 0 ended. */
export interface SandboxFailure {
  /** The exit code. */
  readonly code: number;
  /** What it wrote to stderr, line by line (trimmed). */
  readonly stderr: readonly string[];
}

/**
 * Runs `command` in the sandbox to the end, with no stdin and stdout
 * discarded (a load check, not a server).
 *
 * @returns Undefined when it exits 0, else its code and stderr lines.
 */
export async function runInSandbox(
  command: readonly string[],
  options: SandboxOptions,
): Promise<SandboxFailure | undefined> {
  const output = await sandboxCommand(command, options, "null").output();
  if (output.success) return undefined;
  const stderr = new TextDecoder().decode(output.stderr).trim().split("\n");
  return { code: output.code, stderr };
}
