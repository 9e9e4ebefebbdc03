/**
 * The binding to libisomc_checker (native/src/checker/ffi.zig): the one place that knows the
 * library's path and its exported signatures. Everything else goes through the small typed
 * wrappers below. The library is opened on first use and checked against NATIVE_ABI so a stale
 * build is refused with a clear message instead of misbehaving.
 */

import { fileURLToPath } from "node:url";
import { InternalError } from "../errors.ts";

export const NATIVE_ABI = 1;

const symbols = {
  isomc_native_abi: { parameters: [], result: "u32" },
  isomc_protocol_version: { parameters: [], result: "u32" },
  isomc_socketpair: { parameters: ["buffer"], result: "i32" },
  isomc_close: { parameters: ["i32"], result: "void" },
  isomc_spawn: {
    parameters: ["buffer", "usize", "buffer", "usize", "i32", "u32", "buffer"],
    result: "i32",
  },
  isomc_wait: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  isomc_kill: { parameters: ["i32", "i32"], result: "void" },
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
    parameters: ["pointer", "i32", "i32", "i32", "buffer", "usize", "u32", "buffer"],
    result: "pointer",
  },
  isomc_engine_free: { parameters: ["pointer"], result: "void" },
  isomc_engine_tracker: { parameters: ["pointer"], result: "u32" },
  isomc_engine_sync: { parameters: ["pointer", "bool"], result: "i32" },
  isomc_engine_hash: { parameters: ["pointer"], result: "u64" },
  isomc_engine_masked_hash: { parameters: ["pointer", "buffer", "usize"], result: "u64" },
  isomc_engine_snapshot: { parameters: ["pointer", "bool", "buffer"], result: "pointer" },
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
  isomc_engine_restore: { parameters: ["pointer", "pointer", "bool"], result: "i32" },
  isomc_engine_stats: { parameters: ["pointer", "buffer"], result: "void" },
} as const;

type Native = Deno.DynamicLibrary<typeof symbols>["symbols"];

export const nativeDir = fileURLToPath(new URL("../../native/zig-out/", import.meta.url));
export const runtimeLibrary = `${nativeDir}lib/libisomc.a`;
export const agentLibrary = `${nativeDir}lib/libisomc_agent.so`;
const checkerLibrary = `${nativeDir}lib/libisomc_checker.so`;

let loaded: Native | null = null;

/** The raw symbols, for the typed wrappers of lib/native/ and lib/state/. */
export function native(): Native {
  if (loaded !== null) return loaded;
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

export function nativeProtocolVersion(): number {
  return native().isomc_protocol_version();
}

function cstrings(items: readonly string[]): Uint8Array {
  const encoded = new TextEncoder().encode(items.map((s) => `${s}\0`).join(""));
  return encoded.length === 0 ? new Uint8Array(1) : encoded;
}

export function socketPair(): [number, number] {
  const out = new Int32Array(2);
  const err = native().isomc_socketpair(out);
  if (err !== 0) throw new InternalError(`socketpair failed (errno ${err})`);
  return [out[0], out[1]];
}

export function closeFd(fd: number): void {
  native().isomc_close(fd);
}

export interface SpawnRequest {
  /** argv[0] is the path executed (already resolved). */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly keepFd?: number;
  /** The program writes to our stdout and stderr ("stderr": both to our stderr). */
  readonly inheritOutput?: boolean | "stderr";
  /** Run the child on the caller's CPU, and keep the caller there (faster round trips). */
  readonly pinCpu?: boolean;
  readonly keepAslr?: boolean;
}

export type SpawnResult =
  | { ok: true; pid: number; pidfd: number }
  | { ok: false; errno: number };

export function spawn(req: SpawnRequest): SpawnResult {
  const argv = cstrings(req.argv);
  const env = cstrings(Object.entries(req.env).map(([k, v]) => `${k}=${v}`));
  const flags = (req.inheritOutput ? 1 : 0) | (req.keepAslr ? 2 : 0) |
    (req.inheritOutput === "stderr" ? 4 : 0) | (req.pinCpu ? 8 : 0);
  const out = new Int32Array(2);
  const rc = native().isomc_spawn(
    argv,
    BigInt(argv.length),
    env,
    BigInt(Object.keys(req.env).length === 0 ? 0 : env.length),
    req.keepFd ?? -1,
    flags,
    out,
  );
  if (rc === 0) return { ok: true, pid: out[0], pidfd: out[1] };
  if (rc > 0) return { ok: false, errno: rc };
  throw new InternalError(`cannot start a process (native code ${rc})`);
}

export type ExitStatus =
  | { state: "running" }
  | { state: "exited"; code: number }
  | { state: "signaled"; signal: number };

export function waitProcess(pid: number, pidfd: number, timeoutMs: number): ExitStatus {
  const out = new Int32Array(1);
  const rc = native().isomc_wait(pid, pidfd, timeoutMs, out);
  if (rc === 1) return { state: "exited", code: out[0] };
  if (rc === 2) return { state: "signaled", signal: out[0] };
  return { state: "running" };
}

/** A process's /proc/PID/fd, kept open to list its descriptors cheaply; close with closeFd. */
export function openFdDir(pid: number): number {
  return native().isomc_open_fd_dir(pid);
}

const fdList = new Int32Array(1024);

/**
 * The descriptor numbers above 2 listed in an open /proc/PID/fd ([] when it is gone, or when
 * the process holds no more than `atMost` descriptors in all).
 */
export function listFds(dir: number, atMost: number): number[] {
  if (dir < 0) return [];
  const n = native().isomc_list_fds(dir, BigInt(atMost), fdList, BigInt(fdList.length));
  return n <= 0 ? [] : Array.from(fdList.subarray(0, n));
}

/** Why a pipe of the program could not be read or put back (native/src/checker/pipes.zig). */
export type PipeFailure = "gone" | "not a pipe" | "failed";

const pipeFailures: Record<number, PipeFailure> = {
  [-1]: "gone",
  [-2]: "not a pipe",
  [-4]: "failed",
};

/**
 * The bytes buffered in the program's pipe whose read end is `fd`, left in place; or why they
 * could not be read.
 */
export function pipePeek(pidfd: number, fd: number): Uint8Array | PipeFailure {
  // A pipe holds 64 KiB by default and at most /proc/sys/fs/pipe-max-size (1 MiB): the
  // buffer grows when a pipe holds more, and is kept for the next snapshots.
  while (pipeBuffer.length <= 1 << 26) {
    const n = Number(
      native().isomc_pipe_peek(pidfd, fd, pipeBuffer, BigInt(pipeBuffer.length)),
    );
    if (n >= 0) return pipeBuffer.slice(0, n);
    if (n !== -3) return pipeFailures[n] ?? "failed";
    pipeBuffer = new Uint8Array(pipeBuffer.length * 16);
  }
  return "failed";
}

let pipeBuffer = new Uint8Array(1 << 16);

/** Empties the program's pipe (read end `readFd`) and writes `data` back through `writeFd`. */
export function pipeRefill(
  pidfd: number,
  readFd: number,
  writeFd: number,
  data: Uint8Array,
): PipeFailure | null {
  const rc = Number(native().isomc_pipe_refill(pidfd, readFd, writeFd, data, BigInt(data.length)));
  return rc === 0 ? null : pipeFailures[rc] ?? "failed";
}

/** A pidfd for a process that is not our child; throws when it is already gone. */
export function pidfdOpen(pid: number): number {
  const fd = native().isomc_pidfd_open(pid);
  if (fd < 0) throw new InternalError(`pidfd_open(${pid}) failed (errno ${-fd})`);
  return fd;
}

export function killProcess(pid: number, pidfd: number): void {
  native().isomc_kill(pid, pidfd);
}

export function releaseProcess(pidfd: number): void {
  native().isomc_release(pidfd);
}

export type Received =
  | { kind: "frame"; frame: Uint8Array }
  | { kind: "timeout" }
  | { kind: "closed" }
  | { kind: "error"; message: string };

/**
 * Frames are copied into this one buffer, shared by every channel: a frame is decoded before
 * the next receive, and allocating 16 MiB per program run would cost milliseconds.
 */
let receiveBuffer: Uint8Array | null = null;

function sharedReceiveBuffer(): Uint8Array {
  receiveBuffer ??= new Uint8Array(16 * 1024 * 1024 + 4096);
  return receiveBuffer;
}

/** The checker's end of a control channel (owns the fd). */
export class NativeChannel {
  private handle: Deno.PointerValue;

  constructor(fd: number) {
    this.handle = native().isomc_channel_open(fd);
    if (this.handle === null) {
      closeFd(fd);
      throw new InternalError("out of memory opening the control channel");
    }
  }

  /** Returns 0 or the errno of the failed send (EPIPE when the program is gone). */
  send(frame: Uint8Array): number {
    return native().isomc_channel_send(this.open(), frame, BigInt(frame.length));
  }

  /** A received frame is valid until the next receive on any channel. */
  receive(timeoutMs: number): Received {
    const buffer = sharedReceiveBuffer();
    const rc = native().isomc_channel_recv(
      this.open(),
      buffer,
      BigInt(buffer.length),
      timeoutMs,
    );
    if (rc > 0) return { kind: "frame", frame: buffer.subarray(0, rc) };
    switch (rc) {
      case -1:
        return { kind: "timeout" };
      case -2:
        return { kind: "closed" };
      case -3:
        return { kind: "error", message: "the program sent a frame with an impossible header" };
      case -4:
        return {
          kind: "error",
          message: "the program sent a frame larger than the protocol allows",
        };
      default:
        return { kind: "error", message: `control channel I/O error (errno ${-rc - 1000})` };
    }
  }

  /** The descriptor passed with the frames received last (FORKED's channel), or -1. */
  takeFd(): number {
    return native().isomc_channel_take_fd(this.open());
  }

  close(): void {
    if (this.handle === null) return;
    native().isomc_channel_close(this.handle);
    this.handle = null;
  }

  private open(): NonNullable<Deno.PointerValue> {
    if (this.handle === null) throw new InternalError("the control channel is closed");
    return this.handle;
  }
}
