/**
 * The program's file descriptors as part of its state. Linux lets no process change another's
 * fd table, so the checker only observes it (/proc/PID/fd and /proc/PID/fdinfo) when it takes
 * a snapshot, and on a restore asks the agent inside the program (native/src/agent/) to close,
 * reopen and seek until the table matches.
 *
 * Restored: regular files (their path, open flags and offset), /dev/null, and pipes between
 * actors of the program — pipes whose both ends it holds: their buffered bytes are state, read
 * from outside without being taken (native/src/checker/pipes.zig) and written back on a
 * restore. A pipe cannot be reopened by name, so one closed between a snapshot and a restore
 * to it is refused then, and so is a file deleted by its path after such a state. Refused
 * with a clear error: anything whose content or peer the checker cannot put back — a pipe
 * with an end outside the program, sockets, eventfds, deleted files. Descriptors 0-2 (the
 * program's output, lib/process/output.ts) and the runtime's own are left alone.
 */

import { InputError } from "../errors.ts";
import type { FdChange } from "../process/protocol.ts";
import { listFds, pipePeek, pipeRefill } from "../native/fds.ts";

export interface FdEntry {
  readonly fd: number;
  readonly path: string;
  readonly flags: number;
  readonly pos: number;
  /** For one read end of each pipe: the bytes buffered in the pipe. */
  readonly content?: Uint8Array;
}

const O_ACCMODE = 3;
const O_RDONLY = 0;
const O_WRONLY = 1;
const pipeName = /^pipe:\[\d+\]$/;
const deletedSuffix = " (deleted)";

/** The program holds a descriptor that a memory restore cannot put back. */
export class UnrestorableFd extends InputError {
  override name = "UnrestorableFd";
}

function restorable(path: string): boolean {
  if (path === "/dev/null" || pipeName.test(path)) return true;
  if (!path.startsWith("/") || path.endsWith(" (deleted)")) return false;
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Reads the program's fd table (descriptors above 2, minus `own`), ordered by number, with the
 * content of its pipes; `fdDir` is its /proc/PID/fd, open (lib/native/fds.ts openFdDir), and
 * `pidfd` its pidfd.
 */
export function readFdTable(
  pid: number,
  pidfd: number,
  fdDir: number,
  own: ReadonlySet<number>,
  /** Read the pipes' content (not needed to compute the changes a restore makes). */
  contents = true,
  /**
   * Refuse what a memory restore cannot reopen (false for --restore=fork, which reads the
   * table only for state keys: its copies keep their checkpoint's descriptors).
   */
  strict = true,
): FdEntry[] {
  const entries: FdEntry[] = [];
  // Stdio and the runtime's own descriptors only: nothing to list.
  for (const fd of listFds(fdDir, 3 + own.size)) {
    if (own.has(fd)) continue;
    const e = describeFd(pid, fd);
    if (e === null) continue; // closed meanwhile
    if (!strict) {
      entries.push(e);
      continue;
    }
    if (e.path.startsWith("/") && e.path.endsWith(deletedSuffix)) {
      const path = e.path.slice(0, -deletedSuffix.length);
      throw new UnrestorableFd(
        `the program holds fd ${fd} on ${path}, which it deleted by its path (or which tmpfile() made): --restore=memory cannot reopen a deleted file; use --restore=fork or --restore=replay`,
      );
    }
    if (!restorable(e.path)) {
      throw new UnrestorableFd(
        `the program holds fd ${fd} (${e.path}), which --restore=memory cannot restore (only regular files, /dev/null and pipes between its actors are); use --restore=replay`,
      );
    }
    entries.push(e);
  }
  entries.sort((a, b) => a.fd - b.fd);
  return contents ? withPipeContent(pidfd, entries) : entries;
}

/**
 * The program's pipes only, with their content (--restore=fork: a forked copy shares its
 * checkpoint's pipes, so their content is all that must be put back).
 */
export function readPipes(pid: number, pidfd: number, fdDir: number, ownCount: number): FdEntry[] {
  const entries: FdEntry[] = [];
  // Stdio and the runtime's own descriptors only: nothing to list.
  for (const fd of listFds(fdDir, 3 + ownCount)) {
    // The link says whether it is a pipe; only then is fdinfo worth reading.
    if (!pipeName.test(linkOf(pid, fd) ?? "")) continue;
    const e = describeFd(pid, fd);
    if (e !== null) entries.push(e);
  }
  return withPipeContent(pidfd, entries);
}

function linkOf(pid: number, fd: number): string | null {
  try {
    return Deno.readLinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return null;
  }
}

/** A canonical text of an fd table, pipe contents included, for state keys. */
export function fdTableKey(entries: readonly FdEntry[]): string {
  return JSON.stringify(
    entries.map((e) => [e.fd, e.path, e.flags, e.pos, e.content ? Array.from(e.content) : null]),
  );
}

/** What /proc says of one descriptor, or null when it is closed. */
function describeFd(pid: number, fd: number): FdEntry | null {
  const path = linkOf(pid, fd);
  let info: string;
  try {
    info = Deno.readTextFileSync(`/proc/${pid}/fdinfo/${fd}`);
  } catch {
    return null;
  }
  if (path === null) return null;
  const pos = Number(info.match(/^pos:\s+(\d+)/m)?.[1] ?? 0);
  const flags = parseInt(info.match(/^flags:\s+([0-7]+)/m)?.[1] ?? "0", 8);
  return { fd, path, flags, pos };
}

/** Checks that each pipe has both ends in the table and gives one read end its content. */
function withPipeContent(pidfd: number, entries: FdEntry[]): FdEntry[] {
  const pipes = new Map<string, FdEntry[]>();
  for (const e of entries) {
    if (pipeName.test(e.path)) pipes.set(e.path, [...pipes.get(e.path) ?? [], e]);
  }
  if (pipes.size === 0) return entries;
  const reader = new Map<number, Uint8Array>();
  for (const [path, ends] of pipes) {
    const read = ends.find((e) => (e.flags & O_ACCMODE) === O_RDONLY);
    if (read === undefined || !ends.some((e) => (e.flags & O_ACCMODE) === O_WRONLY)) {
      throw new UnrestorableFd(
        `the program holds fd ${
          ends[0].fd
        } (${path}) without the pipe's other end: its peer is outside the program and --restore=memory cannot restore it; use --restore=replay`,
      );
    }
    const content = pipePeek(pidfd, read.fd);
    if (typeof content === "string") {
      if (content === "gone") return entries; // the next receive says how it ended
      throw new UnrestorableFd(
        `the content of the program's pipe fd ${read.fd} (${path}) cannot be read (${content}); use --restore=replay`,
      );
    }
    reader.set(read.fd, content);
  }
  return entries.map((e) => reader.has(e.fd) ? { ...e, content: reader.get(e.fd) } : e);
}

/**
 * Puts back the content of every pipe of `want` (whose descriptors the program holds again,
 * after fdChanges): empties each pipe and writes its saved bytes.
 */
export function refillPipes(pidfd: number, want: readonly FdEntry[]): void {
  for (const e of want) {
    if (e.content === undefined) continue;
    const writer = want.find((w) => w.path === e.path && (w.flags & O_ACCMODE) === O_WRONLY);
    if (writer === undefined) throw new Error(`internal: pipe fd ${e.fd} saved without a writer`);
    const failed = pipeRefill(pidfd, e.fd, writer.fd, e.content);
    if (failed !== null && failed !== "gone") {
      throw new UnrestorableFd(
        `the program's pipe fd ${e.fd} (${e.path}) could not be refilled (${failed}); use --restore=replay`,
      );
    }
  }
}

/**
 * Checks that the agent can reopen every file `changes` opens: a file the program deleted by
 * its path after the state being restored cannot be, and is refused here, by name, before
 * the agent fails on it.
 */
export function checkReopenable(changes: readonly FdChange[]): void {
  for (const c of changes) {
    if (c.op !== "open" || c.path === "/dev/null") continue;
    let exists = true;
    try {
      exists = Deno.statSync(c.path).isFile;
    } catch {
      exists = false;
    }
    if (!exists) {
      throw new UnrestorableFd(
        `the program deleted ${c.path} (fd ${c.fd}) after a state the search goes back to, where it was open: --restore=memory cannot reopen a deleted file; use --restore=fork or --restore=replay`,
      );
    }
  }
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
    if (pipeName.test(e.path) && (c?.path !== e.path || c.flags !== e.flags)) {
      throw new UnrestorableFd(
        `the program closed, replaced or changed pipe fd ${e.fd} (${e.path}) after a state the search goes back to, and a pipe cannot be reopened; use --restore=replay`,
      );
    }
    if (c !== undefined && c.path === e.path && c.flags === e.flags) {
      if (c.pos !== e.pos) changes.push({ op: "seek", fd: e.fd, pos: e.pos });
    } else {
      changes.push({ op: "open", fd: e.fd, path: e.path, flags: e.flags, pos: e.pos });
    }
  }
  return changes;
}
