/**
 * What a sandboxed Python process must not see although it lies inside a
 * folder it may read: the node directory (its config, keys, certificates).
 *
 * @module
 */
import { relative, resolve } from "node:path";
import { configSecretPaths } from "../apphost/read_grants.ts";

const CONFIG_FILES = ["config.json", "config.yaml", "config.yml", "node.pid"];

/**
 * The folders and files to hide from a sandbox that mounts `roots`.
 *
 * - The node directory inside a root: hidden whole.
 * - A root that is the node directory or lies inside it: its config files
 *   and the key and certificate files the config names are hidden.
 *
 * @param cbdir The node directory.
 * @param roots The folders the sandbox mounts read-only.
 * @returns Folders to hide and (existing) files to hide.
 */
export function nodeSecrets(
  cbdir: string,
  roots: readonly string[],
): { dirs: string[]; files: string[] } {
  const node = resolve(cbdir);
  const dirs: string[] = [];
  let overlaps = false;
  for (const root of roots.map((r) => resolve(r))) {
    const inRoot = relative(root, node);
    if (inRoot !== "" && !inRoot.startsWith("..") && !inRoot.startsWith("/")) {
      dirs.push(node);
    }
    const inNode = relative(node, root);
    if (
      inNode === "" || (!inNode.startsWith("..") && !inNode.startsWith("/"))
    ) {
      overlaps = true;
    }
  }
  const files = overlaps
    ? [
      ...CONFIG_FILES.map((name) => resolve(node, name)),
      ...configSecretPaths(node),
    ].filter(exists)
    : [];
  return { dirs: [...new Set(dirs)], files: [...new Set(files)] };
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
