/**
 * No checked program outlives the checker. Every child is registered here while it runs; on
 * Ctrl-C, SIGTERM or SIGHUP, and on any exit of the checker, the registered children (and their
 * process groups) are killed and reaped. The kernel backs this up: each child asked for SIGKILL
 * when its parent dies (native/src/checker/process.zig), which covers a checker killed by SIGKILL.
 */

import { killProcess } from "../native/ffi.ts";

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

/**
 * Installs the signal handlers once. While `onInterrupt` is set, the first Ctrl-C asks the
 * search to stop cleanly (partial statistics are printed); a second one, or a signal with no
 * search running, kills the children and exits at once with status 130 (or 128+signal).
 */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  globalThis.addEventListener("unload", killAllChildren);
  const fatal = (signal: Deno.Signal, status: number): void => {
    Deno.addSignalListener(signal, () => {
      if (signal === "SIGINT" && interruptHandler !== null) {
        const handler = interruptHandler;
        interruptHandler = null;
        handler();
        return;
      }
      killAllChildren();
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
