/**
 * What every coordinator of a parallel search is to its drivers (simulate.ts, drive.ts): the
 * interface, the metrics of the report, and how parts' counts add up to a result. The two
 * coordinators are coordinator.ts (the job tree: none, sleep, --visited) and
 * dpor_coordinator.ts (sdpor, odpor: the nodes above the cut).
 */

import type { ExplorationResult, IncompleteReason, Stats } from "../explore/result.ts";
import type { Job, JobOutcome, JobPart, SplitConfig } from "./job.ts";
import type { OutputChunk } from "./output.ts";
import type { Step } from "../model/transition.ts";

/** How the work was spread, for the report (--json's `parallel`). */
export interface ParallelMetrics {
  /** Jobs handed out (a job handed again after its worker was lost counts again). */
  jobs: number;
  /** Jobs taken from a lost worker and handed to another. */
  steals: number;
  /** Messages exchanged (jobs out, outcomes in; the driver adds its own). */
  messages: number;
  /** Times the split started over because an actor was found creating actors. */
  restarts: number;
  /** sdpor, odpor: answers not used (run ahead, then their inputs changed; dpor_coordinator.ts). */
  unused: number;
  /** Jobs the workers were told to drop (of no use any more: `useless`). */
  dropped: number;
  /** Jobs workers gave away from the job they were running (none, sleep: `donated`). */
  donated: number;
}

/** What the drivers (simulate.ts, drive.ts) ask of a coordinator. */
export interface JobCoordinator {
  readonly config: SplitConfig;
  readonly metrics: ParallelMetrics;
  next(worker: number): Job | null;
  complete(worker: number, job: Job, outcome: JobOutcome): void;
  lost(worker: number): void;
  claim(hash: bigint, epoch: number): boolean;
  /** The jobs still running that can no longer count: their workers are told to drop them. */
  useless(): { worker: number; job: Job }[];
  /** `worker` dropped `job` as told: it is no longer running. */
  dropped(worker: number, job: Job): void;
  readonly finished: boolean;
  readonly busy: number;
  result(seconds: number): ExplorationResult;
  /** Whether `job`'s answer, once back, was left out of the result (speculation whose inputs changed). */
  unusedAnswer(job: Job): boolean;
  /**
   * --show-output: the output of the parts whose place in the sequential order is now final
   * and not given before, in that order (output.ts).
   */
  takeOutput(): OutputChunk[];
  /**
   * A worker is free and no job is pending: the running job to ask to give work away (its
   * worker is told `donate`), or null. A job is asked once, again only after it gave some.
   */
  donor(): { worker: number; job: Job } | null;
  /** `worker`, running `job`, gave these branches away (paths from the initial state). */
  donated(worker: number, job: Job, paths: readonly (readonly Step[])[]): void;
}

export function newMetrics(): ParallelMetrics {
  return { jobs: 0, steals: 0, messages: 0, restarts: 0, unused: 0, dropped: 0, donated: 0 };
}

/** The result of a search whose parts, in order, are `parts` and counts `counted`. */
export function resultOfParts(
  counted: Stats,
  parts: readonly JobPart[],
  seconds: number,
): ExplorationResult {
  const stats = { ...counted, seconds };
  let depthCut = false;
  let stopped: IncompleteReason | null = null;
  let endless = null;
  let violation = null;
  for (const part of parts) {
    depthCut ||= part.depthCut;
    if (part.stopped !== null && stopped === null) {
      stopped = part.stopped;
      endless = part.endless;
    }
    if (part.violation !== null) violation = part.violation;
  }
  if (violation !== null) return { verdict: "violation", violation, incomplete: null, stats };
  if (stopped !== null) {
    return { verdict: "incomplete", violation: null, incomplete: stopped, stats, endless };
  }
  if (depthCut) return { verdict: "incomplete", violation: null, incomplete: "max-depth", stats };
  return { verdict: "ok", violation: null, incomplete: null, stats };
}

/** Adds a part's counts to the total (the longest execution is the longest of the parts). */
export function addStats(total: Stats, s: Stats): void {
  total.executions += s.executions;
  total.states += s.states;
  total.pruned += s.pruned;
  total.hashCollisions += s.hashCollisions;
  total.transitions += s.transitions;
  total.maxDepth = Math.max(total.maxDepth, s.maxDepth);
  total.replayedTransitions += s.replayedTransitions;
  total.restarts += s.restarts;
  total.restores += s.restores;
  total.restoreSeconds += s.restoreSeconds;
  total.sleepBlocked += s.sleepBlocked;
  total.spinBlocked += s.spinBlocked;
  total.assumesFailed += s.assumesFailed;
  total.wakeupInsertions += s.wakeupInsertions;
}
