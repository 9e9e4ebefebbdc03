/**
 * What the stateful targets share about going back along the path they recorded: where a
 * requested path leaves the recorded one, the deepest saved state usable for it, the steps to
 * replay from there, and the timing of restores in the statistics.
 */

import type { Outcome, TargetCounters } from "../explore/target.ts";
import type { Step } from "../model/transition.ts";
import type { ProgramRun } from "../process/program.ts";

/**
 * The deepest depth d <= path.length on the recorded path for which `saved(d)`; the first
 * `known` steps are the caller's promise (Target.restore) and are not compared again.
 */
export function deepestSaved(
  path: readonly Step[],
  recorded: readonly Step[],
  saved: (depth: number) => boolean,
  known = 0,
): number {
  let common = Math.max(0, Math.min(known, path.length, recorded.length));
  while (
    common < path.length && common < recorded.length &&
    path[common].actor === recorded[common].actor && path[common].choice === recorded[common].choice
  ) common++;
  let depth = common;
  while (depth > 0 && !saved(depth)) depth--;
  return depth;
}

/**
 * Replays `path` from `depth` (where the program stands) up to `end` and appends the steps to
 * `recorded`; the outcome must be a point, as it was when the path was first explored.
 */
export async function replayFrom(
  run: ProgramRun,
  path: readonly Step[],
  depth: number,
  recorded: Step[],
  counters: TargetCounters,
  end = path.length,
): Promise<Outcome> {
  const rest = path.slice(depth, end);
  const outcome = await run.run(rest, depth);
  counters.replayedSteps += rest.length;
  recorded.push(...rest);
  if (outcome.kind !== "point") {
    throw new Error(
      `internal: restoring a path of ${path.length} steps ended with ${outcome.kind}`,
    );
  }
  return outcome;
}

/** Runs a restore, counting it and its time in the statistics. */
export async function timed(counters: TargetCounters, restore: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  try {
    await restore();
  } finally {
    counters.restores++;
    counters.restoreSeconds += (performance.now() - t0) / 1000;
  }
}
