/**
 * Waiting for the end of a program process whose execution is over: its exit after DONE (main's
 * last lines still run, and a crash there is a violation too), and the TAIL that follows a
 * violation in the copy that ran the rest of main (stateful runs).
 */

import type { Outcome } from "../explore/target.ts";
import { crashAfterRun, exitTimeout } from "./outcomes.ts";
import { exitGraceMs, type ProgramLink } from "./link.ts";

/** Reads frames until TAIL, for at most exitGraceMs. */
export async function awaitTail(link: ProgramLink): Promise<void> {
  const deadline = performance.now() + exitGraceMs;
  while (performance.now() < deadline) {
    const r = await link.receive(Math.max(1, Math.ceil(deadline - performance.now())));
    if (r.kind !== "message" || r.message.type === "tail") return;
  }
}

/** After DONE the program still runs main's last lines; a crash there is a violation too. */
export async function afterDone(link: ProgramLink, timeoutMs: number): Promise<Outcome> {
  const status = await link.waitExit(timeoutMs);
  if (status.state === "running") {
    link.kill();
    return exitTimeout(timeoutMs);
  }
  link.reaped();
  // No actor is running any more: a crash is main's, after isomc_run returned.
  return status.state === "signaled" ? crashAfterRun(status.signal) : { kind: "done" };
}
