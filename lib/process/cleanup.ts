/**
 * No checked program outlives the checker. Every child is registered here while it runs; on
 * Ctrl-C, SIGTERM or SIGHUP, and on any exit of the checker, the registered children (and their
 * process groups) are killed and reaped. The kernel backs this up: each child asked for SIGKILL
 * when its parent dies (native/src/checker/process.zig), which covers a checker killed by SIGKILL.
 */

import { killProcess } from "../native/process.ts";

const live = new Map<number, number>();
let installed = false;
let interruptHandler: (() => void) | null = null;

export function registerChild(pid: number, pidfd: number): void {
  live.set(pid, pidfd);
}

export function unregisterChild(pid: number): void {
  live.delete(pid);
}

export function liveChildren(): number {
  return live.size;
}

export function killAllChildren(): void {
  for (const [pid, pidfd] of live) killProcess(pid, pidfd);
  live.clear();
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

function releaseAll(): void {
  killAllChildren();
  for (const dir of [...temporaries]) removeTemporary(dir);
}

/**
 * Installs the signal handlers once. While `onInterrupt` is set, the first Ctrl-C or SIGTERM
 * asks the search to stop cleanly (partial statistics are printed, exit 3): `timeout` and job
 * schedulers send SIGTERM and deserve the same report as a person. A second signal, or one
 * with no search running, kills the children and exits at once with status 128+signal.
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
      Deno.exit(status);
    });
  };
  fatal("SIGINT", 130);
  fatal("SIGTERM", 143);
  fatal("SIGHUP", 129);
}

export function onInterrupt(handler: (() => void) | null): void {
  interruptHandler = handler;
}
