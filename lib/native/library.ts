/**
 * The binding to libisomc_checker (native/src/checker/ffi.zig): the one place that knows the
 * native libraries' paths and the checker library's exported signatures. The typed wrappers
 * live beside it by concern (process.ts, channel.ts, fds.ts here; lib/state/native.ts for the
 * snapshot engine). The library is opened on first use and checked against NATIVE_ABI so a
 * stale build is refused with a clear message instead of misbehaving.
 */

import { InternalError } from "../errors.ts";
import { realFile, realFolder } from "./files.ts";

export const NATIVE_ABI = 7;

const symbols = {
  isomc_native_abi: { parameters: [], result: "u32" },
  isomc_protocol_version: { parameters: [], result: "u32" },
  isomc_socketpair: { parameters: ["buffer"], result: "i32" },
  isomc_close: { parameters: ["i32"], result: "void" },
  isomc_spawn: {
    parameters: ["buffer", "usize", "buffer", "usize", "i32", "i32", "i32", "u32", "buffer"],
    result: "i32",
  },
  isomc_output_file: { parameters: ["buffer"], result: "i32" },
  isomc_fd_size: { parameters: ["i32"], result: "i64" },
  isomc_fd_truncate: { parameters: ["i32", "u64"], result: "i32" },
  isomc_fd_pread: { parameters: ["i32", "buffer", "usize", "u64"], result: "i64" },
  isomc_wait: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  isomc_kill: { parameters: ["i32", "i32"], result: "void" },
  isomc_has_children: { parameters: [], result: "i32" },
  isomc_become_subreaper: { parameters: [], result: "i32" },
  isomc_release: { parameters: ["i32"], result: "void" },
  isomc_channel_open: { parameters: ["i32"], result: "pointer" },
  isomc_channel_close: { parameters: ["pointer"], result: "void" },
  isomc_channel_send: { parameters: ["pointer", "buffer", "usize"], result: "i32" },
  isomc_channel_recv: { parameters: ["pointer", "buffer", "usize", "i32"], result: "i32" },
  isomc_channel_take_fd: { parameters: ["pointer"], result: "i32" },
  isomc_pidfd_open: { parameters: ["i32"], result: "i32" },
  isomc_open_fd_dir: { parameters: ["i32"], result: "i32" },
  isomc_list_fds: { parameters: ["i32", "usize", "buffer", "usize"], result: "i32" },
  isomc_pipe_peek: { parameters: ["i32", "i32", "buffer", "usize"], result: "i64" },
  isomc_pipe_refill: { parameters: ["i32", "i32", "i32", "buffer", "usize"], result: "i64" },
  // The snapshot engine (native/src/checker/state_ffi.zig), wrapped by lib/state/native.ts.
  isomc_store_new: { parameters: [], result: "pointer" },
  isomc_store_free: { parameters: ["pointer"], result: "void" },
  isomc_store_stats: { parameters: ["pointer", "buffer"], result: "void" },
  isomc_engine_new: {
    parameters: [
      "pointer",
      "i32",
      "i32",
      "i32",
      "buffer",
      "usize",
      "u32",
      "buffer",
      "buffer",
      "usize",
      "buffer",
    ],
    result: "pointer",
  },
  isomc_engine_why: { parameters: ["pointer", "buffer", "usize"], result: "usize" },
  isomc_shared_save: {
    parameters: ["i32", "buffer", "usize", "buffer", "buffer", "usize", "buffer"],
    result: "pointer",
  },
  isomc_shared_pages: { parameters: ["pointer"], result: "u64" },
  isomc_shared_restore: { parameters: ["pointer", "i32"], result: "i32" },
  isomc_shared_free: { parameters: ["pointer"], result: "void" },
  isomc_engine_free: { parameters: ["pointer"], result: "void" },
  isomc_engine_tracker: { parameters: ["pointer"], result: "u32" },
  isomc_engine_sync: { parameters: ["pointer", "bool"], result: "i32" },
  isomc_engine_hash: { parameters: ["pointer"], result: "u64" },
  isomc_engine_masked_hash: { parameters: ["pointer", "buffer", "usize"], result: "u64" },
  isomc_engine_snapshot: { parameters: ["pointer", "bool", "buffer"], result: "pointer" },
  isomc_engine_read_words: {
    parameters: ["pointer", "buffer", "usize", "bool", "buffer"],
    result: "i64",
  },
  isomc_snapshot_hash: { parameters: ["pointer"], result: "u64" },
  isomc_snapshot_pages: { parameters: ["pointer"], result: "u64" },
  isomc_engine_drop: { parameters: ["pointer", "pointer"], result: "void" },
  isomc_snapshot_clone: { parameters: ["pointer"], result: "pointer" },
  isomc_snapshot_free: { parameters: ["pointer", "pointer"], result: "void" },
  isomc_snapshots_equal: {
    parameters: ["pointer", "pointer", "buffer", "usize", "pointer", "buffer", "usize"],
    result: "bool",
  },
  isomc_engine_plan: {
    parameters: ["pointer", "pointer", "bool", "buffer", "usize"],
    result: "i32",
  },
  isomc_engine_restore: { parameters: ["pointer", "pointer", "bool", "bool"], result: "i32" },
  isomc_engine_stats: { parameters: ["pointer", "buffer"], result: "void" },
} as const;

type Native = Deno.DynamicLibrary<typeof symbols>["symbols"];

// Paths relative to the repository root; lib/native/files.ts turns them into real files (in the
// single binary, copies in the cache folder: a child process cannot see its virtual files).
export const runtimeLibraryPath = "native/zig-out/lib/libisomc.a";
export const agentLibraryPath = "native/zig-out/lib/libisomc_agent.so";
/** The runtime as a shared library, for `isomc check --preload` (docs/pthreads.md). */
export const preloadLibraryPath = "native/zig-out/lib/libisomc_preload.so";
export const checkerLibraryPath = "native/zig-out/lib/libisomc_checker.so";
export const headerPath = "include/isomc.h";
/** The pthread.h `isomc cc` puts first on the include path: it marks a pthread program. */
export const pthreadHeaderPath = "include/pthread.h";
/** The mark `isomc cc` links into SV-COMP tasks (lib/build/svcomp_inputs.ts). */
export const svcompMarkPath = "include/isomc_svcomp.c";

/** The runtime that `isomc cc` links into checked programs (a static library). */
export function runtimeLibrary(): string {
  return realFile(runtimeLibraryPath);
}

/** The fd agent preloaded into checked programs. */
export function agentLibrary(): string {
  return preloadable(agentLibraryPath, "the fd agent");
}

/** The runtime preloaded into binaries built elsewhere (`isomc check --preload`). */
export function preloadLibrary(): string {
  return preloadable(preloadLibraryPath, "the preloaded runtime");
}

function preloadable(file: string, what: string): string {
  const path = realFile(file);
  // LD_PRELOAD separates its entries with spaces and colons: such a path cannot be given.
  if (/[ :]/.test(path)) {
    throw new InternalError(
      `${what}'s path ${path} has a space or ':', which LD_PRELOAD cannot carry ` +
        "(set XDG_CACHE_HOME to a folder without one)",
    );
  }
  return path;
}

/** The SV-COMP mark's source, for `isomc cc` to compile into a task's link. */
export function svcompMark(): string {
  return realFile(svcompMarkPath);
}

/** The folder holding isomc.h and isomc's pthread.h, for `-I`. */
export function includeDir(): string {
  return realFolder([headerPath, pthreadHeaderPath]);
}

let loaded: Native | null = null;

/** The raw symbols, for the typed wrappers of lib/native/ and lib/state/. */
export function native(): Native {
  if (loaded !== null) return loaded;
  const checkerLibrary = realFile(checkerLibraryPath);
  let lib: Deno.DynamicLibrary<typeof symbols>;
  try {
    lib = Deno.dlopen(checkerLibrary, symbols);
  } catch (e) {
    throw new InternalError(
      `cannot load ${checkerLibrary} (${(e as Error).message}); run ./isomc once to build it`,
    );
  }
  const abi = lib.symbols.isomc_native_abi();
  if (abi !== NATIVE_ABI) {
    throw new InternalError(
      `the native library has ABI ${abi}, the checker expects ${NATIVE_ABI}: rebuild it (./isomc)`,
    );
  }
  loaded = lib.symbols;
  return loaded;
}

/** The raw symbols if the library is open already, else null (never opens it). */
export function nativeIfOpen(): Native | null {
  return loaded;
}

export function nativeProtocolVersion(): number {
  return native().isomc_protocol_version();
}
