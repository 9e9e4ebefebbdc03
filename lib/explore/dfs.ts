/**
 * Exhaustive depth-first exploration (`--reduction=none`): every interleaving of the actors and
 * every value of every choice, each execution run to its end. It stops at the first violation.
 * With `visited`, a state whose hash was seen before is not explored again (stateful search:
 * the target must give state keys), which makes programs with cycles finite; `exactCompare`
 * also checks that it is the same state, not only the same hash.
 */

import type { Point, Step, Transition } from "../model/transition.ts";
import { PathPoints } from "./points.ts";
import { EndlessWatch } from "./endless.ts";
import {
  endOfStuck,
  type ExplorationResult,
  type ExploreOptions,
  foundDeadlock,
  Heartbeat,
  interruptedResult,
  maxDonated,
  newStats,
  resultOf,
  type Stats,
  traceOf,
  type Verdict,
} from "./result.ts";
import type { AheadHint, ExactState, Outcome, Target } from "./target.ts";

/**
 * Where a state's branches stand: the last step taken from it (actor and choice), or none yet.
 * The steps are not listed: they are walked in the point's order, actor then choice, one at a
 * time, since a random can have millions of choices and a point thousands of actors.
 */
interface Cursor {
  actor: number;
  choice: number;
}

export async function exploreDfs(
  target: Target,
  options: ExploreOptions = {},
): Promise<ExplorationResult> {
  const bounded = (options.maxDepth ?? Infinity) < Infinity;
  const seen = options.visited ? new Visited(options.exactCompare ?? false, bounded) : null;
  const startedMs = performance.now();
  const stats = newStats();
  try {
    return await search(target, options, seen, stats, startedMs);
  } catch (e) {
    return interruptedResult(e, stats, startedMs, target.counters);
  } finally {
    seen?.release();
  }
}

/**
 * The states a search has explored, by hash; with `exact`, each hash keeps the states
 * themselves, so that a state is taken for a known one only when it equals it, not when it
 * merely has its hash. Under a depth bound each state keeps the shallowest depth it was explored
 * from: reached again higher up, with more steps left before the bound, it is explored again
 * (SPIN's depth-bounded search does the same), or a state first reached deep and cut off would
 * hide everything it leads to within the bound.
 */
class Visited {
  private readonly hashes = new Map<bigint, number>();
  private readonly states = new Map<bigint, { state: ExactState; depth: number }[]>();

  constructor(private readonly exact: boolean, private readonly bounded: boolean) {}

  /**
   * Notes the target's current state, reached at `depth`: "new" the first time, "known" when
   * it was explored before with at least as many steps left (prune it), "again" when it was
   * explored only deeper (explore it again, from here).
   */
  arrive(target: Target, stats: Stats, depth: number): "new" | "known" | "again" {
    const key = target.stateHash?.() ?? null;
    if (key === null) return "new";
    if (!this.exact) {
      const before = this.hashes.get(key);
      if (before !== undefined && (!this.bounded || before <= depth)) return "known";
      this.hashes.set(key, depth);
      return before === undefined ? "new" : "again";
    }
    const state = target.exactState?.() ?? null;
    if (state === null) throw new Error("internal: --exact-compare needs the target's states");
    const same = this.states.get(key);
    if (same === undefined) {
      this.states.set(key, [{ state, depth }]);
      return "new";
    }
    const equal = same.find((s) => s.state.equals(state));
    if (equal !== undefined) {
      state.release();
      if (!this.bounded || equal.depth <= depth) return "known";
      equal.depth = depth;
      return "again";
    }
    stats.hashCollisions++;
    same.push({ state, depth });
    return "new";
  }

  release(): void {
    for (const list of this.states.values()) for (const s of list) s.state.release();
    this.states.clear();
  }
}

async function search(
  target: Target,
  options: ExploreOptions,
  seen: Visited | null,
  stats: Stats,
  startedMs: number,
): Promise<ExplorationResult> {
  const maxDepth = options.maxDepth ?? Infinity;
  const maxExecutions = options.maxExecutions ?? Infinity;
  const heartbeat = new Heartbeat(options);
  // points holds the state at each depth of the path, cursors[i] its branches; path[i] is the
  // step taken from it and taken[i] the transition that step executed.
  const points = new PathPoints();
  const cursors: Cursor[] = [];
  // A parallel job that may give work away keeps each depth's enabled steps (giveAway).
  const shapes: Shape[][] | null = options.donate === undefined ? null : [];
  const path: Step[] = [];
  const taken: Transition[] = [];
  let depthCut = false;
  let atTop = false;
  let deepestEnded = 0;
  // An execution that goes on forever without repeating a state (that would be pruned) stops
  // at the runaway bound.
  const runaway = new EndlessWatch(target, options, false);
  /** Counts the state just reached; true when it was explored before (prune it). */
  const claim = options.claim;
  const known = (): boolean | Promise<boolean> => {
    const seenAt = seen === null ? "new" : seen.arrive(target, stats, path.length);
    const key = seenAt === "new" && claim !== undefined ? target.stateHash?.() ?? null : null;
    if (key !== null) return claimed(key);
    if (seenAt === "known") stats.pruned++;
    if (seenAt === "new") stats.states++;
    return seenAt === "known";
  };
  /** A state new here, that another search (a parallel job) may have explored. */
  const claimed = async (key: bigint): Promise<boolean> => {
    const mine = await claim!(key);
    if (mine) stats.states++;
    else stats.pruned++;
    return !mine;
  };
  const arrive = (o: Outcome): boolean | Promise<boolean> => {
    if (o.kind !== "violation") return known();
    stats.states++;
    return false;
  };

  const finish = (verdict: Verdict, rest: Partial<ExplorationResult> = {}): ExplorationResult =>
    resultOf(verdict, stats, startedMs, target.counters, rest);
  const forecast: AheadHint | undefined = seen === null && claim === undefined
    ? { asleep: [], maxDepth }
    : undefined;

  let outcome = await target.start();
  let arrived = arrive(outcome);
  let pruned = typeof arrived === "boolean" ? arrived : await arrived;
  while (true) {
    if (pruned) {
      // Already explored from here.
    } else if (outcome.kind === "violation") {
      stats.executions++;
      return finish("violation", {
        violation: { ...outcome.violation, trace: traceOf(taken, path) },
      });
    } else if (outcome.kind === "done") {
      stats.executions++;
      deepestEnded = Math.max(deepestEnded, path.length);
    } else {
      const point = outcome.point;
      const stuck = endOfStuck(point);
      if (stuck === "deadlock") {
        stats.executions++;
        return finish("violation", {
          violation: foundDeadlock(point, taken, path, target.names),
        });
      }
      const endless = stuck !== null ? null : await runaway.check(path, deepestEnded);
      if (endless !== null) return finish("incomplete", { incomplete: "runaway", endless });
      if (stuck === "assume") {
        // Cut by a failed assumption (result.ts, endOfStuck): an execution, counted apart too.
        stats.executions++;
        stats.assumesFailed++;
        deepestEnded = Math.max(deepestEnded, path.length);
      } else if (stuck === "spin") {
        // Cut at a spin loop: an end, apart from the executions.
        stats.spinBlocked++;
        deepestEnded = Math.max(deepestEnded, path.length);
      } else if (path.length >= maxDepth) {
        stats.executions++;
        depthCut = true;
      } else {
        points.push(point);
        cursors.push({ actor: -1, choice: 0 });
        shapes?.push(shapeOf(point));
        atTop = true;
      }
    }

    if (stats.executions >= maxExecutions) {
      return finish("incomplete", { incomplete: "max-executions" });
    }
    if (heartbeat.due()) await heartbeat.beat(stats, startedMs);
    if (heartbeat.stop !== null) return finish("incomplete", { incomplete: heartbeat.stop });

    let step: Step | null = null;
    while (cursors.length > 0) {
      step = nextStep(points.top, cursors[cursors.length - 1]);
      if (step !== null) break;
      cursors.pop();
      points.pop();
      shapes?.pop();
      atTop = false;
    }
    if (step === null) break;
    const depth = cursors.length - 1;
    path.length = depth;
    taken.length = depth;
    if (options.donate?.asked()) options.donate.give(giveAway(shapes!, cursors, path));
    // The target is on `path` (every step it executed was pushed, every restore was to it):
    // it need not compare the path again, whose length can be the state count (--visited).
    if (!atTop) await target.restore(path, path.length);
    taken.push(transitionAt(points.top, step.actor));
    path.push(step);
    // A fresh state takes its lowest enabled actor's first step (nextStep): the forecast, unless
    // states are compared (each must be looked at before the search goes on).
    outcome = await target.execute(step, forecast);
    atTop = false;
    stats.transitions++;
    arrived = arrive(outcome);
    pruned = typeof arrived === "boolean" ? arrived : await arrived;
    if (path.length > stats.maxDepth) stats.maxDepth = path.length;
  }
  return depthCut ? finish("incomplete", { incomplete: "max-depth" }) : finish("ok");
}

/** A point's enabled steps, as giveAway needs them: actor order, each with its choices. */
interface Shape {
  readonly actor: number;
  readonly choices: number;
}

function shapeOf(point: Point): Shape[] {
  return point.transitions.filter((t) => t.enabled).map((t) => ({
    actor: t.actor,
    choices: t.choices,
  }));
}

/**
 * A parallel job's donation (ExploreOptions.donate): the branches left at the shallowest node
 * that has any (those after its cursor, in order), which the search then skips (its cursor
 * moves to the last of them). What the search has left is then all below that node's current
 * branch, which comes before them in the search's order; the nodes above it have nothing left.
 */
function giveAway(shapes: readonly Shape[][], cursors: Cursor[], path: readonly Step[]): Step[][] {
  for (let i = 0; i < cursors.length; i++) {
    const cursor = cursors[i];
    const left: Step[] = [];
    for (const t of shapes[i]) {
      if (t.actor < cursor.actor) continue;
      const from = t.actor === cursor.actor ? cursor.choice + 1 : 0;
      for (let choice = from; choice < t.choices; choice++) {
        if (left.length === maxDonated) return [];
        left.push({ actor: t.actor, choice });
      }
    }
    if (left.length === 0) continue;
    const last = left[left.length - 1];
    cursor.actor = last.actor;
    cursor.choice = last.choice;
    return left.map((s) => [...path.slice(0, i), s]);
  }
  return [];
}

/** The step after the cursor's at `point` (actor order, then choice order), or null. */
function nextStep(point: Point, cursor: Cursor): Step | null {
  const ts = point.transitions;
  let at = 0;
  if (cursor.actor >= 0) {
    at = indexOf(ts, cursor.actor);
    if (ts[at].choices > cursor.choice + 1) {
      cursor.choice++;
      return { actor: cursor.actor, choice: cursor.choice };
    }
    at++;
  }
  while (at < ts.length && !ts[at].enabled) at++;
  if (at === ts.length) return null;
  cursor.actor = ts[at].actor;
  cursor.choice = 0;
  return { actor: cursor.actor, choice: 0 };
}

/** The index of `actor`'s transition in `ts` (sorted by actor, as points are). */
function indexOf(ts: readonly Transition[], actor: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid].actor < actor) lo = mid + 1;
    else hi = mid;
  }
  if (ts[lo]?.actor !== actor) throw new Error(`internal: actor ${actor} is not at this point`);
  return lo;
}

function transitionAt(point: Point, actor: number): Transition {
  return point.transitions[indexOf(point.transitions, actor)];
}
