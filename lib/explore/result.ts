/**
 * What an exploration produces — verdict, counterexample, statistics — and the bookkeeping
 * shared by every exploration algorithm: the counters, the limits, and the heartbeat that
 * reports progress and lets an interrupt (Ctrl-C) stop the search between two steps.
 */

import {
  actorName,
  blockedReason,
  describeTransition,
  Kind,
  type NameTable,
  type Point,
  type Step,
  type Transition,
} from "../model/transition.ts";
import { Interrupted, type TargetCounters, type Violation } from "./target.ts";
import { heapNearlyFull, heapSmall, loadV8Probe, v8Probe } from "./heap_guard.ts";

export interface Stats {
  /** Complete executions: maximal paths that ended, deadlocked, failed or hit the depth limit. */
  executions: number;
  /** States visited, the initial one included (distinct states when `visited` is on). */
  states: number;
  /** Arrivals at a state already explored, not explored again (`visited` on). */
  pruned: number;
  /** Equal hashes of different states, told apart by `exactCompare`. */
  hashCollisions: number;
  /** Transitions executed as part of the search (not counting re-executions to restore). */
  transitions: number;
  /** Longest execution, in transitions. */
  maxDepth: number;
  seconds: number;
  /** Transitions executed again to restore states (stateless restore). */
  replayedTransitions: number;
  /** Executions started from scratch. */
  restarts: number;
  /** Returns to earlier states, and the seconds they took. */
  restores: number;
  restoreSeconds: number;
  /** Executions abandoned because every enabled step was asleep (never for odpor). */
  sleepBlocked: number;
  /**
   * Executions cut because every actor left was spinning in an await loop (docs/pthreads.md,
   * "Spin loops"), or blocked with at least one spinning: not in `executions`, as GenMC counts
   * its blocked executions apart.
   */
  spinBlocked: number;
  /** Sequences added to wakeup trees (odpor) or steps added to backtrack sets (sdpor). */
  wakeupInsertions: number;
  /**
   * Executions cut by a failed assumption (__VERIFIER_assume, docs/svcomp.md): ended with no
   * actor enabled and at least one blocked by its assumption; in `executions`.
   */
  assumesFailed: number;
}

export function newStats(): Stats {
  return {
    executions: 0,
    states: 0,
    pruned: 0,
    hashCollisions: 0,
    transitions: 0,
    maxDepth: 0,
    seconds: 0,
    replayedTransitions: 0,
    restarts: 0,
    restores: 0,
    restoreSeconds: 0,
    sleepBlocked: 0,
    spinBlocked: 0,
    wakeupInsertions: 0,
    assumesFailed: 0,
  };
}

/** One step of a counterexample, with the transition it executed as seen before it ran. */
export interface TraceStep {
  readonly step: Step;
  readonly transition: Transition;
}

export interface FoundViolation extends Violation {
  readonly trace: readonly TraceStep[];
  /** For a deadlock: the point where every unfinished actor is blocked. */
  readonly blocked?: Point;
}

export type Verdict = "ok" | "violation" | "incomplete";
export type IncompleteReason =
  | "max-depth"
  | "max-executions"
  | "interrupted"
  | "out-of-memory"
  | "runaway"
  | "nondet-range";

/**
 * An execution found not to end. "repeats": the state after `steps[0]` steps is the state after
 * `steps[1]` (its steps in between can repeat forever); "too-deep": it reached `steps[0]`
 * steps, the runaway bound, without ending. `actors` moved in the repeated part (in the last
 * thousand steps, for too-deep), by id.
 */
export interface EndlessExecution {
  readonly kind: "repeats" | "too-deep";
  readonly steps: readonly number[];
  readonly actors: readonly number[];
}

export interface ExplorationResult {
  readonly verdict: Verdict;
  readonly violation: FoundViolation | null;
  readonly incomplete: IncompleteReason | null;
  readonly stats: Stats;
  /** An execution found not to end, if one was (the reason for `fallback`, or for runaway). */
  readonly endless?: EndlessExecution | null;
  /**
   * "stateful": a partial-order search met an execution that repeats its state and started
   * over as the stateful exhaustive search (lib/explore/explore.ts).
   */
  readonly fallback?: "stateful" | null;
}

/**
 * How deep an execution may go, unless --max-depth says otherwise, before the search stops
 * (incomplete, runaway): deeper than this and than ten times the deepest execution that ended.
 * Without it an execution that never ends nor repeats a state (a counter growing forever)
 * would hold the checker forever and grow its memory without bound.
 */
export const runawaySteps = 100_000;

export function runawayDepth(deepestEnded: number, steps = runawaySteps): number {
  return Math.max(steps, 10 * deepestEnded);
}

/**
 * From how deep a partial-order search hashes the states of its execution, to recognise one
 * that repeats its state (lib/explore/dpor/explorer.ts): deeper than this and than four times
 * the deepest execution that ended, so that executions of normal length pay nothing for it.
 */
export const hashingSteps = 1_000;

export function hashingDepth(deepestEnded: number): number {
  return Math.max(hashingSteps, 4 * deepestEnded);
}

/** Something a report must say beside the verdict (both reports print them). */
export interface Warning {
  readonly kind: "no-execution-ended";
  readonly message: string;
}

/**
 * What the result's verdict does not say by itself. No execution ended: every one was pruned
 * at a known state or cut, so the program may never terminate; that is not a safety violation,
 * and the verdict stays, but a person must hear it.
 */
export function warningsOf(result: ExplorationResult): Warning[] {
  const out: Warning[] = [];
  if (result.verdict === "ok" && result.stats.executions === 0 && result.stats.states > 0) {
    out.push({
      kind: "no-execution-ended",
      message: "not one execution ended: from every state explored the program goes on " +
        "forever. No violation is about safety only; whether it terminates or makes progress " +
        "is a liveness property (isomc_prop)",
    });
  }
  return out;
}

/** The actors that took the steps path[from..to), by id. */
export function actorsOf(path: readonly Step[], from: number, to: number): number[] {
  const set = new Set<number>();
  for (let k = Math.max(0, from); k < to; k++) set.add(path[k].actor);
  return [...set].sort((x, y) => x - y);
}

export interface ExploreOptions {
  /** Executions longer than this many transitions are cut (the verdict is then incomplete). */
  readonly maxDepth?: number;
  /** Stop after this many executions (the verdict is then incomplete). */
  readonly maxExecutions?: number;
  /** Aborting it stops the search at the next step, with an incomplete verdict. */
  readonly signal?: AbortSignal;
  /** Do not explore again a state already explored (needs a target with state keys). */
  readonly visited?: boolean;
  /** With `visited`: confirm each hash match by comparing the states themselves. */
  readonly exactCompare?: boolean;
  /** Called with the running statistics about ten times a second. */
  readonly onProgress?: (stats: Readonly<Stats>) => void;
  /**
   * Partial-order searches: when an execution repeats its state (the target must hash states),
   * start over as the stateful exhaustive search (explore.ts); otherwise such an execution runs
   * into the runaway bound.
   */
  readonly fallback?: boolean;
  /** The runaway bound's least depth (default runawaySteps; smaller in tests). */
  readonly runawaySteps?: number;
  /**
   * With `visited`, the states are shared with other searches (parallel jobs, lib/parallel/):
   * a state new to this search is explored only if claiming its hash answers true.
   */
  readonly claim?: (hash: bigint) => boolean | Promise<boolean>;
  /**
   * DPOR searches: look for the races of every execution whole, not only of the suffix after
   * the prefix shared with the one before (tests cross-check the two; the same search).
   */
  readonly wholeAnalysis?: boolean;
  /**
   * A parallel job's search (none, sleep) can give work away (lib/parallel/run_job.ts): asked
   * between steps, it gives up the branches left at its shallowest node that has any, which
   * it then no longer explores.
   */
  readonly donate?: Donation;
}

/**
 * The most branches a search gives away at once (ExploreOptions.donate): a node with more (a
 * random of a million values) gives none.
 */
export const maxDonated = 64;

/** How a search is asked to give work away, and gives it (ExploreOptions.donate). */
export interface Donation {
  /** Whether it is asked now (answering clears it). */
  asked(): boolean;
  /**
   * The branches given up, as paths from the search's start, in the search's order; none when
   * it has none it can give (then it is not asked again).
   */
  give(paths: readonly (readonly Step[])[]): void;
}

/**
 * Whether a point where no actor is enabled ends an execution cut at a spin loop rather than a
 * deadlock: an actor spinning (its iteration would repeat) could only go on once another
 * changes what it reads, and the executions where one does are explored from the race between
 * that write and the spinning actor's reads.
 */
export function spinCut(point: Point): boolean {
  return point.transitions.some((t) => t.spin === true);
}

/**
 * Whether a point where no actor is enabled ends an execution cut by a failed assumption: an
 * actor is blocked for ever by one (docs/svcomp.md). The execution is infeasible, whatever the
 * others wait for (a mutex the blocked actor holds, a join of it), as Nidhugg and GenMC discard
 * it; the others ran on as far as they could, so their races with it were seen.
 */
export function assumeCut(point: Point): boolean {
  return point.transitions.some((t) => t.kind === Kind.assume);
}

/**
 * How an execution ends at `point` when no actor is enabled there (null when one is): cut by a
 * failed assumption (counted in `executions` and `assumesFailed`), first, since such an
 * execution is infeasible; cut at a spin loop (counted apart, in `spinBlocked`); or a deadlock.
 * One classification for every search (dfs.ts, dpor/explorer.ts, parallel/run_job.ts).
 */
export function endOfStuck(point: Point): "assume" | "spin" | "deadlock" | null {
  if (point.transitions.some((t) => t.enabled)) return null;
  if (assumeCut(point)) return "assume";
  return spinCut(point) ? "spin" : "deadlock";
}

/** A deadlock: the point has unfinished actors and none of them is enabled. */
export function deadlockAt(point: Point, names: NameTable): Violation {
  const parts = point.transitions.map((t) =>
    `${actorName(names, t.actor)} waits at ${describeTransition(t, names)} (${
      blockedReason(t, names)
    })`
  );
  return {
    kind: "deadlock",
    message: `every unfinished actor is blocked: ${parts.join("; ")}`,
    actor: null,
  };
}

/**
 * The deadlock found at `blocked`, the end of `path`; `taken[i]` is the transition step i
 * executed, as seen before it ran.
 */
export function foundDeadlock(
  blocked: Point,
  taken: readonly Transition[],
  path: readonly Step[],
  names: NameTable,
): FoundViolation {
  return { ...deadlockAt(blocked, names), trace: traceOf(taken, path), blocked };
}

/** The counterexample for a path, from the transition each step executed. */
export function traceOf(taken: readonly Transition[], path: readonly Step[]): TraceStep[] {
  return path.map((step, i) => {
    const transition = taken[i];
    if (transition === undefined || transition.actor !== step.actor) {
      throw new Error(`internal: step ${i + 1} moves actor ${step.actor}, absent from its point`);
    }
    return { step, transition };
  });
}

/** The search's result, its statistics completed with the time and the target's work. */
export function resultOf(
  verdict: Verdict,
  stats: Stats,
  startedMs: number,
  counters: TargetCounters,
  rest: Partial<ExplorationResult> = {},
): ExplorationResult {
  return {
    verdict,
    violation: null,
    incomplete: null,
    ...rest,
    stats: finishStats(stats, startedMs, counters),
  };
}

/**
 * The result of a search that a target call ended by throwing `e`: an interrupt during the call
 * (Interrupted) ends it as incomplete, with the statistics it had; anything else is rethrown.
 */
export function interruptedResult(
  e: unknown,
  stats: Stats,
  startedMs: number,
  counters: TargetCounters,
): ExplorationResult {
  if (!(e instanceof Interrupted)) throw e;
  return resultOf("incomplete", stats, startedMs, counters, { incomplete: "interrupted" });
}

export function finishStats(stats: Stats, startedMs: number, counters: TargetCounters): Stats {
  return {
    ...stats,
    seconds: (performance.now() - startedMs) / 1000,
    replayedTransitions: counters.replayedSteps,
    restarts: counters.restarts,
    restores: counters.restores,
    restoreSeconds: counters.restoreSeconds,
  };
}

const progressIntervalMs = 100;

/**
 * Paces a search: every ~100 ms it reports progress and yields to the event loop, so signal
 * handlers and timers run even while every step completes synchronously fast, and it watches
 * the heap.
 */
export class Heartbeat {
  private last = performance.now();
  private full = false;

  constructor(private readonly options: ExploreOptions) {}

  /** Why the search must stop now (an interrupt, the heap nearly full), or null. */
  get stop(): "interrupted" | "out-of-memory" | null {
    if (this.options.signal?.aborted) return "interrupted";
    return this.full ? "out-of-memory" : null;
  }

  /** Steps since the clock was last read (see due). */
  private steps = 0;

  /**
   * Cheap check, once per step: is it time to beat? The clock is read every 16th step only:
   * performance.now() was 0.3% of a search's time (readers(13), cpu-prof), and a beat (where
   * an interrupt is noticed, and the heap looked at) 16 steps late is still on time.
   */
  due(): boolean {
    if ((++this.steps & 15) !== 0) return false;
    return this.late();
  }

  private late(): boolean {
    return performance.now() - this.last >= progressIntervalMs;
  }

  /**
   * Runs a long computation that pauses (yields) now and then, beating when due; false when
   * it had to stop (see stop).
   */
  async drain(
    work: Generator<void, void>,
    stats: Readonly<Stats>,
    startedMs: number,
  ): Promise<boolean> {
    while (!work.next().done) {
      // A long analysis can allocate fast: the heap is looked at every pause, not every beat.
      this.heapLooked();
      if (this.late()) await this.beat(stats, startedMs);
      if (this.stop !== null) return false;
    }
    return true;
  }

  /**
   * The heap guard between beats: V8's figures when they are loaded (lookAtHeap loads them),
   * nothing before. Deno.memoryUsage would say whether the heap is small, but costs 18 µs (it
   * reads /proc): a beat's price, not a pause's.
   */
  private heapLooked(): void {
    const probe = v8Probe();
    if (probe !== null && heapNearlyFull(probe)) this.full = true;
  }

  /**
   * The heap guard at a beat: V8's figures (node:v8, loaded the first time) once the heap has
   * grown past heapSmall's bound; a check that ends before never loads them.
   */
  private async lookAtHeap(): Promise<void> {
    if (v8Probe() === null && heapSmall()) return;
    if (heapNearlyFull(await loadV8Probe())) this.full = true;
  }

  async beat(stats: Readonly<Stats>, startedMs: number): Promise<void> {
    this.last = performance.now();
    await this.lookAtHeap();
    this.options.onProgress?.({ ...stats, seconds: (this.last - startedMs) / 1000 });
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}
