/**
 * Keeps the node's native memory from growing with every worker
 * replacement (issue 13).
 *
 * Each app worker has two 4 MiB SharedArrayBuffer rings (`_ring.ts`), and
 * Deno allocates them with the C allocator. glibc serves such a large block
 * with `mmap` and gives it back on `free`, but only until the first one is
 * freed: then it raises its mmap threshold to that size (up to 32 MiB), and
 * later rings come from the allocator's arenas, where freed blocks stay
 * part of the process. Measured with `bench/apphost_churn.ts` (1,000
 * replacements): RSS 160 → 1,050 MiB with glibc's default, 154 → 165 MiB
 * with the threshold fixed at its initial 128 KiB.
 *
 * So the host fixes the threshold with `mallopt(M_MMAP_THRESHOLD, 128 KiB)`
 * (which also turns the adjustment off) through FFI, when it may: on Linux,
 * with FFI permission (the node runs with all permissions), glibc's
 * `libc.so.6` present, and no `MALLOC_MMAP_THRESHOLD_` chosen by the user.
 * Elsewhere (musl, macOS, no FFI) it does nothing.
 *
 * @module
 */

/** glibc's `M_MMAP_THRESHOLD` parameter of `mallopt`. */
const M_MMAP_THRESHOLD = -3;
/** glibc's initial (and documented default) mmap threshold. */
const THRESHOLD_BYTES = 128 * 1024;

let applied: boolean | undefined;

function granted(descriptor: Deno.PermissionDescriptor): boolean {
  return Deno.permissions.querySync(descriptor).state === "granted";
}

/**
 * Fixes glibc's mmap threshold once per process (later calls return the
 * first result).
 *
 * @returns Whether the threshold was set.
 */
export function tuneNativeMemory(): boolean {
  if (applied !== undefined) return applied;
  applied = false;
  if (Deno.build.os !== "linux" || !granted({ name: "ffi" })) return false;
  const env = { name: "env", variable: "MALLOC_MMAP_THRESHOLD_" } as const;
  if (granted(env) && Deno.env.get(env.variable) !== undefined) return false;
  try {
    const libc = Deno.dlopen("libc.so.6", {
      mallopt: { parameters: ["i32", "i32"], result: "i32" },
    });
    try {
      applied = libc.symbols.mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES) === 1;
    } finally {
      libc.close();
    }
  } catch {
    // Not glibc: its allocator is not the one measured here.
  }
  return applied;
}
