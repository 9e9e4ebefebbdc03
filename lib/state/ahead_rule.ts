/**
 * The continuation rule a memory target sends with a step (docs/protocol.md, "Running ahead"):
 * the search's forecast turned into what the runtime follows on its own, stopped where the
 * target would snapshot, so that running ahead snapshots exactly the states a step-by-step
 * search would. A pure function of the forecast and of where the snapshots are.
 */

import type { AheadHint } from "../explore/target.ts";
import type { AheadRule } from "../process/protocol.ts";

/**
 * The most steps a program runs ahead on its own in one batch (a RUN's continuation rule):
 * enough that a batch almost always stops for a reason of its own (a snapshot point, the end),
 * few enough that a program that runs forever comes back to the checker's bounds soon.
 */
export const maxAheadSteps = 4096;

/**
 * The rule for a step about to run from `depth`: the search's forecast (its known steps, then
 * its rule), stopped at the first branching point no closer than `spacing` below the deepest
 * snapshot at or above `depth` (`deepest`, -1 for none: worthSnapshot's test). Undefined when
 * the depth bound leaves no step after this one, or the forecast says nothing.
 */
export function aheadRule(
  hint: AheadHint,
  depth: number,
  deepest: number,
  spacing: number,
): AheadRule | undefined {
  const room = hint.maxDepth - depth - 1;
  if (room < 1) return undefined;
  // Known steps first (a wakeup sequence), then the rule unless the hint has none.
  let maxSteps = Math.min(maxAheadSteps, room);
  const known = (hint.steps ?? []).slice(0, maxSteps);
  if (hint.asleep === null) maxSteps = known.length;
  if (maxSteps < 1) return undefined;
  return {
    maxSteps,
    branchStop: deepest < 0 ? 0 : deepest + spacing,
    asleep: hint.asleep ?? [],
    known,
  };
}
