/**
 * Exhaustive depth-first exploration (`--reduction=none`): every interleaving of the actors and
 * every value of every choice, each execution run to its end. It stops at the first violation.
 * With `visited`, a state whose hash was seen before is not explored again (stateful search:
 * the target must give state keys), which makes programs with cycles finite; `exactCompare`
 * also checks that it is the same state, not only the same hash.
 */

import { enabledSteps, type Point, type Step } from "../model/transition.ts";
import {
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
} from "./result.ts";
import type { ExactState, Outcome, Target } from "./target.ts";

interface Frame {
  readonly point: Point;
  readonly alternatives: readonly Step[];
  next: number;
}

export async function exploreDfs(
  target: Target,
  options: ExploreOptions = {},
): Promise<ExplorationResult> {
  const seen = options.visited ? new Visited(options.exactCompare ?? false) : null;
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
 * merely has its hash.
 */
class Visited {
  private readonly hashes = new Set<bigint>();
  private readonly states = new Map<bigint, ExactState[]>();

  constructor(private readonly exact: boolean) {}

  /** Notes the target's current state; true when it was seen before. */
  arrive(target: Target, stats: Stats): boolean {
    const key = target.stateHash?.() ?? null;
    if (key === null) return false;
    if (!this.exact) {
      if (this.hashes.has(key)) return true;
      this.hashes.add(key);
      return false;
    }
    const state = target.exactState?.() ?? null;
    if (state === null) throw new Error("internal: --exact-compare needs the target's states");
    const same = this.states.get(key);
    if (same === undefined) {
      this.states.set(key, [state]);
      return false;
    }
    if (same.some((s) => s.equals(state))) {
      state.release();
      return true;
    }
    stats.hashCollisions++;
    same.push(state);
    return false;
  }

  release(): void {
    for (const list of this.states.values()) for (const s of list) s.release();
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
  // frames[i] is the state at depth i; path[i] the step taken from it.
  const frames: Frame[] = [];
  const path: Step[] = [];
  let depthCut = false;
  let atTop = false;
  /** Counts the state just reached; true when it was explored before (prune it). */
  const known = (): boolean => {
    if (seen !== null && seen.arrive(target, stats)) {
      stats.pruned++;
      return true;
    }
    stats.states++;
    return false;
  };
  const arrive = (o: Outcome): boolean => {
    if (o.kind !== "violation") return known();
    stats.states++;
    return false;
  };

  const finish = (verdict: Verdict, rest: Partial<ExplorationResult> = {}): ExplorationResult =>
    resultOf(verdict, stats, startedMs, target.counters, rest);
  const points = (): Point[] => frames.map((f) => f.point);

  let outcome = await target.start();
  let pruned = arrive(outcome);
  while (true) {
    if (pruned) {
      // Already explored from here.
    } else if (outcome.kind === "violation") {
      stats.executions++;
      return finish("violation", {
        violation: { ...outcome.violation, trace: traceOf(points(), path) },
      });
    } else if (outcome.kind === "done") {
      stats.executions++;
    } else {
      const point = outcome.point;
      const alternatives = enabledSteps(point);
      if (alternatives.length === 0) {
        stats.executions++;
        return finish("violation", {
          violation: foundDeadlock([...points(), point], path, target.names),
        });
      }
      if (path.length >= maxDepth) {
        stats.executions++;
        depthCut = true;
      } else {
        frames.push({ point, alternatives, next: 0 });
        atTop = true;
      }
    }

    if (stats.executions >= maxExecutions) {
      return finish("incomplete", { incomplete: "max-executions" });
    }
    if (heartbeat.due()) await heartbeat.beat(stats, startedMs);
    if (heartbeat.interrupted) return finish("incomplete", { incomplete: "interrupted" });

    while (frames.length > 0) {
      const top = frames[frames.length - 1];
      if (top.next < top.alternatives.length) break;
      frames.pop();
      atTop = false;
    }
    if (frames.length === 0) break;
    const depth = frames.length - 1;
    path.length = depth;
    if (!atTop) await target.restore(path);
    const frame = frames[depth];
    const step = frame.alternatives[frame.next++];
    path.push(step);
    outcome = await target.execute(step);
    atTop = false;
    stats.transitions++;
    pruned = arrive(outcome);
    if (path.length > stats.maxDepth) stats.maxDepth = path.length;
  }
  return depthCut ? finish("incomplete", { incomplete: "max-depth" }) : finish("ok");
}
