/**
 * The checked program's descriptors seen from outside: its /proc/PID/fd listing, and the
 * content of its pipes, read in place and put back (native/src/fd_list.zig,
 * native/src/checker/pipes.zig).
 */

import { native } from "./library.ts";

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
