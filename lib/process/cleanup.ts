/**
 * No checked program outlives the checker. Every child is registered here while it runs; on
 * Ctrl-C, SIGTERM or SIGHUP, and on any exit of the checker, the registered children (and their
 * process groups) are killed and reaped. The checker is a child subreaper (lib/native/process.ts),
 * so a process a program forked that left its process group comes back to the checker when its
 * parent dies: the CLI kills those strays last. The kernel backs this up: each child asked for
 * SIGKILL when its parent dies (native/src/checker/process.zig), which covers a checker killed
 * by SIGKILL.
 */

import { killProcess, mayHaveChildren } from "../native/process.ts";

const live = new Map<number, number>();
let installed = false;
let interruptHandler: (() => void) | null = null;
let lastWords: ((signal: Deno.Signal, status: number) => void) | null = null;

export function registerChild(pid: number, pidfd: number): void {
  live.set(pid, pidfd);
}

export function unregisterChild(pid: number): void {
  live.delete(pid);
}

export function liveChildren(): number {
  return live.size;
}

/** Kills every registered child, the last registered first (a copy before its checkpoint). */
export function killAllChildren(): void {
  for (const [pid, pidfd] of [...live].reverse()) killProcess(pid, pidfd);
  live.clear();
}

/** The checker's children by /proc (the kernel here lists no /proc/PID/task/TID/children). */
function childrenOfThisProcess(): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
    } catch {
      continue; // it ended while we looked
    }
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === Deno.pid) found.push(Number(entry.name));
  }
  return found;
}

/**
 * Kills and reaps every child of the checker: what is left once the registered children are
 * gone is what their processes forked and re-parented here. For the CLI only, whose children
 * are all checked programs: a library caller may have children of its own.
 */
export function killStrayChildren(): void {
  // Killing one may re-parent its own children here: a few rounds settle it.
  for (let round = 0; round < 8; round++) {
    // No child at all (one syscall) needs no scan of /proc, which reads every process's stat
    // (2.9 ms at the exit of a check on an idle machine, more on a busy one).
    if (mayHaveChildren() === false) return;
    const strays = childrenOfThisProcess().filter((pid) => !live.has(pid));
    if (strays.length === 0) return;
    for (const pid of strays) killProcess(pid, -1);
  }
}

/** Temporary directories to remove even when a signal ends the checker (no `finally` runs). */
const temporaries = new Set<string>();

export function registerTemporary(dir: string): void {
  temporaries.add(dir);
}

/** Removes a registered temporary directory now. */
export function removeTemporary(dir: string): void {
  temporaries.delete(dir);
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch {
    // already gone
  }
}

/** Everything the CLI must release however it ends. */
export function releaseAll(): void {
  killAllChildren();
  killStrayChildren();
  for (const dir of [...temporaries]) removeTemporary(dir);
}

/**
 * Installs the signal handlers once. While `onInterrupt` is set, the first Ctrl-C or SIGTERM
 * asks the search to stop cleanly (partial statistics are printed, exit 3): `timeout` and job
 * schedulers send SIGTERM and deserve the same report as a person. A second signal, or one
 * with no search running, kills the children and exits at once with status 128+signal, after
 * the `onFatalSignal` handler has had its say (the progress line ended, a JSON error object).
 */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  globalThis.addEventListener("unload", releaseAll);
  const fatal = (signal: Deno.Signal, status: number): void => {
    Deno.addSignalListener(signal, () => {
      if (signal !== "SIGHUP" && interruptHandler !== null) {
        const handler = interruptHandler;
        interruptHandler = null;
        handler();
        return;
      }
      releaseAll();
      try {
        lastWords?.(signal, status);
      } finally {
        Deno.exit(status);
      }
    });
  };
  fatal("SIGINT", 130);
  fatal("SIGTERM", 143);
  fatal("SIGHUP", 129);
}

export function onInterrupt(handler: (() => void) | null): void {
  interruptHandler = handler;
}

/** What to say when a signal ends the checker at once (null: nothing). */
export function onFatalSignal(
  handler: ((signal: Deno.Signal, status: number) => void) | null,
): void {
  lastWords = handler;
}
