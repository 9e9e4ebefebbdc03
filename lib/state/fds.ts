/**
 * The program's file descriptors as part of its state. Linux lets no process change another's
 * fd table, so the checker only observes it (/proc/PID/fd and /proc/PID/fdinfo) when it takes
 * a snapshot, and on a restore asks the agent inside the program (native/src/agent/) to close,
 * reopen and seek until the table matches.
 *
 * Restored: regular files (their path, open flags and offset) and /dev/null. Refused with a
 * clear error: anything whose content or peer the checker cannot put back — pipes, sockets,
 * eventfds, deleted files. Descriptors 0-2 and the runtime's own are left alone.
 */

import { InputError } from "../errors.ts";
import type { FdChange } from "../process/protocol.ts";
import { listFds } from "../native/ffi.ts";

export interface FdEntry {
  readonly fd: number;
  readonly path: string;
  readonly flags: number;
  readonly pos: number;
}

/** The program holds a descriptor that a memory restore cannot put back. */
export class UnrestorableFd extends InputError {
  override name = "UnrestorableFd";
}

function restorable(path: string): boolean {
  if (path === "/dev/null") return true;
  if (!path.startsWith("/") || path.endsWith(" (deleted)")) return false;
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Reads the program's fd table (descriptors above 2, minus `own`), ordered by number; `fdDir`
 * is its /proc/PID/fd, open (lib/native/ffi.ts openFdDir).
 */
export function readFdTable(pid: number, fdDir: number, own: ReadonlySet<number>): FdEntry[] {
  const entries: FdEntry[] = [];
  // Stdio and the runtime's own descriptors only: nothing to list.
  for (const fd of listFds(fdDir, 3 + own.size)) {
    if (own.has(fd)) continue;
    let path: string;
    let info: string;
    try {
      path = Deno.readLinkSync(`/proc/${pid}/fd/${fd}`);
      info = Deno.readTextFileSync(`/proc/${pid}/fdinfo/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (!restorable(path)) {
      throw new UnrestorableFd(
        `the program holds fd ${fd} (${path}), which --restore=memory cannot restore (only regular files and /dev/null are); use --restore=replay`,
      );
    }
    const pos = Number(info.match(/^pos:\s+(\d+)/m)?.[1] ?? 0);
    const flags = parseInt(info.match(/^flags:\s+([0-7]+)/m)?.[1] ?? "0", 8);
    entries.push({ fd, path, flags, pos });
  }
  return entries.sort((a, b) => a.fd - b.fd);
}

/** The changes that turn fd table `now` into `want`. */
export function fdChanges(now: readonly FdEntry[], want: readonly FdEntry[]): FdChange[] {
  const changes: FdChange[] = [];
  const wanted = new Map(want.map((e) => [e.fd, e]));
  for (const e of now) {
    if (!wanted.has(e.fd)) changes.push({ op: "close", fd: e.fd });
  }
  const current = new Map(now.map((e) => [e.fd, e]));
  for (const e of want) {
    const c = current.get(e.fd);
    if (c !== undefined && c.path === e.path && c.flags === e.flags) {
      if (c.pos !== e.pos) changes.push({ op: "seek", fd: e.fd, pos: e.pos });
    } else {
      changes.push({ op: "open", fd: e.fd, path: e.path, flags: e.flags, pos: e.pos });
    }
  }
  return changes;
}
