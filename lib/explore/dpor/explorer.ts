/**
 * The reducing explorations, over the same Target as the exhaustive DFS: sleep sets alone
 * (`--reduction=sleep`), Source-DPOR with sleep sets (`sdpor`) and Optimal DPOR with wakeup
 * trees (`odpor`), after Abdulla, Aronis, Jonsson and Sagonas (JACM 2017). All three walk the
 * execution tree depth first like lib/explore/dfs.ts; they differ in which branches a state
 * gets. sleep: every enabled step not asleep. sdpor: one step, plus one initial of each race
 * reversal found later (its backtrack set). odpor: the branches of its wakeup tree, or one
 * step when it has none; each race reversal found at the end of an execution is inserted in
 * the wakeup tree of the state before the race. The node stack and the choice of branches are
 * in stack.ts, what an execution's races add in reversals.ts, the races in races.ts.
 *
 * Local nondeterminism (isomc_random, isomc_waitany): each value is a distinct event of the
 * actor (event.ts). Every event that offered several values registers each other value as a
 * race with itself, reversed by notdep(event) then the event with that value (after Nidhugg's
 * treatment of nondeterministic events); sleep sets and wakeup trees then compare events by
 * actor and value. Every execution of a multi-valued event registers its other values, not
 * only those that took the first value as Nidhugg does: the random-program tests found traces
 * lost that way. docs/independence.md explains the choices and what they cost.
 */

import { type Point, type Transition, transitionOf } from "../../model/transition.ts";
import {
  type EndlessExecution,
  endOfStuck,
  type ExplorationResult,
  type ExploreOptions,
  foundDeadlock,
  Heartbeat,
  interruptedResult,
  newStats,
  resultOf,
  type Stats,
  traceOf,
  type Verdict,
} from "../result.ts";
import type { Target } from "../target.ts";
import { type Event, EventSet, stepFor } from "./event.ts";
import { Reversals } from "./reversals.ts";
import { EndlessWatch } from "../endless.ts";
import { blocked, type DporReduction, ExecutionStack, type Node } from "./stack.ts";
import { SleepSet } from "./sleep.ts";
import { WakeupNode } from "./wakeup_tree.ts";
import type { AboveOp } from "./above.ts";

export type { DporReduction } from "./stack.ts";

/**
 * Where a search that explores one subtree (a parallel job, lib/parallel/) starts: the points
 * of the prefix above its root (for the communications posted there), the sleep set at its
 * root, and the actors known to create actors (shared: a job that finds a new one throws
 * SpawnerFound, since the whole split was made with the old relation).
 */
export interface DporRoot {
  readonly points: readonly Point[];
  /** The prefix's events: races are found over whole executions, but only reversed below it. */
  readonly events: readonly Event[];
  readonly sleep: SleepSet;
  readonly spawners: Set<number>;
  /** The wakeup tree at the root (odpor; the branch of the coordinator's node above it). */
  readonly tree?: WakeupNode;
  /**
   * What the search's races add at the nodes above the root, in the order it makes them
   * (above.ts): those nodes are the coordinator's, which applies them in the sequential order.
   */
  readonly ops?: AboveOp[];
}

/** A subtree search (DporRoot) found an actor creating actors: the split must start over. */
export class SpawnerFound extends Error {
  override name = "SpawnerFound";
  constructor() {
    super("an actor was found to create actors");
  }
}

/** The actors of `after` above `highest`, the last actor of the point before the step (the ones it created). */
export function newActors(highest: number, after: Point): number[] {
  const out: number[] = [];
  const ts = after.transitions;
  for (let k = ts.length - 1; k >= 0 && ts[k].actor > highest; k--) out.unshift(ts[k].actor);
  return out;
}

/** Restart the search: an actor was found to create actors. */
const restart = Symbol("restart");

/**
 * Actor ids follow creation order, so steps that create actors must be dependent. Whether a step
 * creates actors is only known once it ran, and may change when a race is reversed; so the
 * relation says it of actors instead: every step of an actor seen creating actors writes the
 * spawn cell. The set only grows; when it does, the search starts over, so that one relation
 * holds for the whole search (a relation that changed on the way would break the wakeup trees).
 */
export async function exploreDpor(
  target: Target,
  reduction: DporReduction,
  options: ExploreOptions = {},
  root?: DporRoot,
): Promise<ExplorationResult> {
  const startedMs = performance.now();
  const spawners = root?.spawners ?? new Set<number>();
  while (true) {
    const stats = newStats();
    let r;
    try {
      r = await search(target, reduction, options, startedMs, spawners, stats, root);
    } catch (e) {
      return interruptedResult(e, stats, startedMs, target.counters);
    }
    if (r !== restart) return r;
    if (root !== undefined) throw new SpawnerFound();
  }
}

async function search(
  target: Target,
  reduction: DporReduction,
  options: ExploreOptions,
  startedMs: number,
  spawners: Set<number>,
  stats: Stats,
  root: DporRoot | undefined,
): Promise<ExplorationResult | typeof restart> {
  const maxDepth = options.maxDepth ?? Infinity;
  const maxExecutions = options.maxExecutions ?? Infinity;
  const heartbeat = new Heartbeat(options);
  // Events are made at the end of the current path, where its directory names the posts of
  // comm ids that come back (event.ts); a job's prefix (above its root) is looked up next.
  const above = root?.events ?? [];
  const stack = new ExecutionStack(reduction, spawners, stats, root?.sleep, above, root?.tree);
  const maker = stack.maker;
  const reversals = new Reversals(
    reduction,
    maker,
    stats,
    maxDepth + above.length,
    !options.wholeAnalysis,
    root === undefined ? null : { count: above.length, ops: root.ops ?? [] },
  );
  // Below a root, what lands at the nodes above it is recorded (root.ops), not applied: these
  // stand in for them, so that the stack's nodes keep their depths.
  const placeholders: Node[] = above.map(() => ({
    sleep: SleepSet.empty(),
    tree: new WakeupNode(null),
    backtrack: new EventSet(),
    registered: null,
    current: null,
    started: true,
  }));
  /**
   * Analyses the current execution (`pending`: what is pending where the bound cut it); false
   * when the search must stop (heartbeat.stop).
   */
  const analyze = (pending: readonly Transition[] = []): Promise<boolean> => {
    const work = root === undefined
      ? reversals.register(stack.nodes, stack.events, pending)
      : reversals.register(
        [...placeholders, ...stack.nodes],
        [...above, ...stack.events],
        pending,
      );
    return heartbeat.drain(work, stats, startedMs);
  };
  let depthCut = false;
  let deepestEnded = 0;
  const finish = (verdict: Verdict, rest: Partial<ExplorationResult> = {}): ExplorationResult =>
    resultOf(verdict, stats, startedMs, target.counters, rest);
  // A stateless reduction cannot end an execution that never ends: one found to repeat its
  // state stops it (the caller then starts over statefully, explore.ts), as one too deep does.
  const endless = new EndlessWatch(target, options, options.fallback === true);
  let found: EndlessExecution | null = null;
  let stuck: ReturnType<typeof endOfStuck> = null;

  let outcome = await target.start();
  stats.states++;
  while (true) {
    if (outcome.kind === "violation") {
      stats.executions++;
      const trace = traceOf(stack.taken, stack.path);
      return finish("violation", { violation: { ...outcome.violation, trace } });
    } else if (outcome.kind === "done") {
      stats.executions++;
      deepestEnded = Math.max(deepestEnded, stack.path.length);
      if (!await analyze()) return finish("incomplete", { incomplete: heartbeat.stop! });
    } else if ((stuck = endOfStuck(outcome.point)) === "assume" || stuck === "spin") {
      // Cut by a failed assumption (an execution, counted apart too) or at a spin loop (apart
      // from the executions): the races of what ran are analysed as at any end.
      if (stuck === "assume") {
        stats.executions++;
        stats.assumesFailed++;
      } else stats.spinBlocked++;
      deepestEnded = Math.max(deepestEnded, stack.path.length);
      if (!await analyze()) return finish("incomplete", { incomplete: heartbeat.stop! });
    } else if (stuck === "deadlock") {
      stats.executions++;
      const deadlock = foundDeadlock(outcome.point, stack.taken, stack.path, target.names);
      return finish("violation", { violation: deadlock });
    } else if (
      endless.due(stack.path.length, deepestEnded) &&
      (found = await endless.check(stack.path, deepestEnded)) !== null
    ) {
      return finish("incomplete", { incomplete: "runaway", endless: found });
    } else if (stack.path.length >= maxDepth) {
      stats.executions++;
      depthCut = true;
      if (!await analyze(outcome.point.transitions)) {
        return finish("incomplete", { incomplete: heartbeat.stop! });
      }
    } else {
      stack.push(outcome.point);
    }
    if (stats.executions >= maxExecutions) {
      return finish("incomplete", { incomplete: "max-executions" });
    }
    if (heartbeat.due()) await heartbeat.beat(stats, startedMs);
    if (heartbeat.stop !== null) return finish("incomplete", { incomplete: heartbeat.stop });

    let branch = stack.nextBranch();
    while (branch === blocked) {
      if (!await analyze()) return finish("incomplete", { incomplete: heartbeat.stop! });
      branch = stack.nextBranch();
    }
    if (branch === null) break;
    // A parallel job under sleep sets may give the branches of its shallowest node away.
    if (reduction === "sleep" && options.donate?.asked()) options.donate.give(stack.giveAway());
    endless.backTo(stack.path.length, deepestEnded);
    if (stack.needsRestore) await target.restore(stack.path);
    const top = stack.top;
    const step = stepFor(top, branch.ev!);
    const transition = transitionOf(top, step.actor)!;
    // Actor ids follow creation order: the actors the step creates come after every other.
    const highest = top.transitions[top.transitions.length - 1].actor;
    stack.begin(branch, step, transition);
    outcome = await target.execute(step, stack.aheadHint(branch, maxDepth));
    stats.transitions++;
    stats.states++;
    if (stack.path.length > stats.maxDepth) stats.maxDepth = stack.path.length;
    const created = outcome.kind === "point" ? newActors(highest, outcome.point) : [];
    if (created.length > 0 && !spawners.has(step.actor)) {
      spawners.add(step.actor);
      return restart;
    }
    stack.ran(branch, maker.of(transition, step.choice, created));
  }
  return depthCut ? finish("incomplete", { incomplete: "max-depth" }) : finish("ok");
}
