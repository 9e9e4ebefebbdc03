/**
 * A sdpor or odpor job once its prefix is replayed (run_job.ts): a probe of a node above the
 * cut, or the search of a subtree from the sleep set and wakeup tree the coordinator gives its
 * root, recording what its races add above the root (above.ts) for the coordinator
 * (dpor_coordinator.ts, docs/parallel.md "sdpor and odpor").
 */

import { exploreDpor, SpawnerFound } from "../explore/dpor/explorer.ts";
import { altOf, type Event, EventMaker } from "../explore/dpor/event.ts";
import type { SleepSet } from "../explore/dpor/sleep.ts";
import {
  type ExplorationResult,
  type ExploreOptions,
  newStats,
  type TraceStep,
} from "../explore/result.ts";
import type { Outcome, Target } from "../explore/target.ts";
import type { Point } from "../model/transition.ts";
import { type DporJob, type Job, type JobOutcome, partOf, type SplitConfig } from "./job.ts";
import { type AboveOp, packOps } from "../explore/dpor/above.ts";
import type { DporReduction } from "../explore/dpor/stack.ts";
import { treeFromData } from "../explore/dpor/wakeup_tree.ts";
import { SubTarget } from "./job_target.ts";
import type { JobClock } from "./job_costs.ts";

/**
 * A sdpor or odpor job at its node (dpor_coordinator.ts): a probe answers with the node's point
 * and first step not asleep (stack.ts's branchOf) unless the node ends an execution; otherwise
 * the node's subtree is searched from the coordinator's sleep set and wakeup tree, and what its
 * races add above the node is recorded for the coordinator.
 */
export async function runDporJob(
  target: Target,
  config: SplitConfig,
  job: Job,
  given: DporJob,
  at: Outcome,
  signal: AbortSignal | undefined,
  root: {
    points: Point[];
    events: Event[];
    sleep: SleepSet;
    spawners: Set<number>;
    trace: TraceStep[];
  },
  clock?: JobClock,
  moving?: () => void,
): Promise<JobOutcome> {
  const depth = job.prefix.length;
  if (
    given.probe && at.kind === "point" && at.point.transitions.some((t) => t.enabled) &&
    depth < (config.maxDepth ?? Infinity)
  ) {
    const stats = newStats();
    stats.states = 1;
    stats.transitions = depth > 0 ? 1 : 0;
    stats.maxDepth = depth;
    const maker = new EventMaker(root.spawners, root.events);
    let first: Event | null = null;
    for (const t of at.point.transitions) {
      if (!t.enabled || first !== null) continue;
      for (let choice = 0; choice < t.choices; choice++) {
        if (root.sleep.hasAlt(t.actor, altOf(t, choice))) continue;
        first = maker.of(t, choice);
        break;
      }
    }
    return { kind: "node", point: at.point, first, stats };
  }
  const tree = treeFromData(given.tree);
  clock?.at("treeMs");
  moving?.();
  const sub = new SubTarget(target, job.prefix, at, () => clock?.at("firstMs"));
  const options: ExploreOptions = {
    maxDepth: config.maxDepth === undefined ? undefined : config.maxDepth - depth,
    runawaySteps: config.runawaySteps,
    maxExecutions: job.maxExecutions ?? config.maxExecutions,
    signal,
  };
  const ops: AboveOp[] = [];
  let r: ExplorationResult;
  try {
    r = await exploreDpor(sub, config.reduction as DporReduction, options, {
      points: root.points,
      events: root.events,
      sleep: root.sleep,
      spawners: root.spawners,
      tree,
      ops,
    });
    clock?.at("searchMs");
  } catch (e) {
    if (e instanceof SpawnerFound) return { kind: "spawner", spawners: [...root.spawners] };
    throw e;
  }
  const packed = packOps(ops);
  clock?.at("packMs");
  if (clock !== undefined) clock.record.executions = r.stats.executions;
  return { kind: "explored", part: { ...partOf(r, depth, root.trace), ops: packed } };
}
