/**
 * Processes and descriptors of the checker's own: socket pairs, starting the checked program
 * (fork/exec with the control channel kept, parent-death signal, own process group, pidfd),
 * waiting for it, killing it with its process group (native/src/checker/process.zig). The
 * checker becomes a child subreaper before its first program starts, so that whatever the
 * program forks comes back to the checker when its parent dies, to be killed and reaped.
 */

import { InternalError } from "../errors.ts";
import { native, nativeIfOpen } from "./library.ts";

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
  /** Descriptors of ours that become the program's stdout and stderr (over inheritOutput). */
  readonly stdoutFd?: number;
  readonly stderrFd?: number;
  /** Run the child on the caller's CPU, and keep the caller there (faster round trips). */
  readonly pinCpu?: boolean;
  readonly keepAslr?: boolean;
  /**
   * Start the copy as every other copy starts: the kept descriptor at `channelFdInChild`, fixed
   * bytes at AT_RANDOM (native/src/checker/exec_random.zig), so that equal states of two
   * copies are equal bytes (docs/state.md, "Copies of one program").
   */
  readonly alike?: boolean;
}

/** The number the kept descriptor has in a child started `alike`. */
export const channelFdInChild = 3;

export type SpawnResult =
  | { ok: true; pid: number; pidfd: number; randomFixed: boolean }
  | { ok: false; errno: number };

let subreaper = false;

export function spawn(req: SpawnRequest): SpawnResult {
  if (!subreaper) {
    if (native().isomc_become_subreaper() !== 0) {
      throw new InternalError("prctl(PR_SET_CHILD_SUBREAPER) failed");
    }
    subreaper = true;
  }
  const argv = cstrings(req.argv);
  // Alike, in one order: Deno.env.toObject() lists the variables in no fixed order, and the
  // strings are on the program's stack.
  const entries = Object.entries(req.env);
  if (req.alike) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const env = cstrings(entries.map(([k, v]) => `${k}=${v}`));
  const flags = (req.inheritOutput ? 1 : 0) | (req.keepAslr ? 2 : 0) |
    (req.inheritOutput === "stderr" ? 4 : 0) | (req.pinCpu ? 8 : 0) | (req.alike ? 16 : 0);
  const out = new Int32Array(3);
  const rc = native().isomc_spawn(
    argv,
    BigInt(argv.length),
    env,
    BigInt(Object.keys(req.env).length === 0 ? 0 : env.length),
    req.keepFd ?? -1,
    req.stdoutFd ?? -1,
    req.stderrFd ?? -1,
    flags,
    out,
  );
  if (rc === 0) return { ok: true, pid: out[0], pidfd: out[1], randomFixed: out[2] === 1 };
  if (rc > 0) return { ok: false, errno: rc };
  throw new InternalError(`cannot start a process (native code ${rc})`);
}

export type ExitStatus =
  | { state: "running" }
  | { state: "exited"; code: number }
  | { state: "signaled"; signal: number };

/**
 * Waits up to timeoutMs for the process to end; once it has, the rest of its process group is
 * killed and reaped too (what it forked does not outlive it).
 */
export function waitProcess(pid: number, pidfd: number, timeoutMs: number): ExitStatus {
  const out = new Int32Array(1);
  const rc = native().isomc_wait(pid, pidfd, timeoutMs, out);
  if (rc === 1) return { state: "exited", code: out[0] };
  if (rc === 2) return { state: "signaled", signal: out[0] };
  return { state: "running" };
}

/** A pidfd for a process that is not our child; throws when it is already gone. */
export function pidfdOpen(pid: number): number {
  const fd = native().isomc_pidfd_open(pid);
  if (fd < 0) throw new InternalError(`pidfd_open(${pid}) failed (errno ${-fd})`);
  return fd;
}

/** Kills the process and its whole process group, and reaps them. */
export function killProcess(pid: number, pidfd: number): void {
  native().isomc_kill(pid, pidfd);
}

/**
 * Whether the checker may have a child process: false only when the kernel says it has none
 * (waitid's ECHILD). Null when the native library is not open: nothing was spawned through it,
 * but a child started otherwise cannot be ruled out without it.
 */
export function mayHaveChildren(): boolean | null {
  const lib = nativeIfOpen();
  return lib === null ? null : lib.isomc_has_children() !== 0;
}

export function releaseProcess(pidfd: number): void {
  native().isomc_release(pidfd);
}

/**
 * A file in memory (memfd) opened for appending, to capture the program's output; close it
 * with closeFd.
 */
export function outputFile(name: string): number {
  const fd = native().isomc_output_file(new TextEncoder().encode(`${name}\0`));
  if (fd < 0) {
    throw new InternalError(`cannot create a file for the program's output (errno ${-fd})`);
  }
  return fd;
}

export function fileSize(fd: number): number {
  const n = Number(native().isomc_fd_size(fd));
  if (n < 0) throw new InternalError(`fstat of the program's output failed (errno ${-n})`);
  return n;
}

export function truncateFile(fd: number, size: number): void {
  const err = native().isomc_fd_truncate(fd, BigInt(size));
  if (err !== 0) throw new InternalError(`cannot truncate the program's output (errno ${err})`);
}

/** Reads the bytes of [offset, offset + length) (fewer at the end of the file). */
export function readFileAt(fd: number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = Number(
      native().isomc_fd_pread(fd, out.subarray(got), BigInt(length - got), BigInt(offset + got)),
    );
    if (n < 0) throw new InternalError(`cannot read the program's output (errno ${-n})`);
    if (n === 0) break;
    got += n;
  }
  return out.subarray(0, got);
}
