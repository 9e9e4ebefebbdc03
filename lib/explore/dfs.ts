/**
 * Exhaustive depth-first exploration (`--reduction=none`): every interleaving of the actors and
 * every value of every choice, each execution run to its end. It stops at the first violation.
 * With `visited`, a state whose hash was seen before is not explored again (stateful search:
 * the target must give state keys), which makes programs with cycles finite.
 */

import { enabledSteps, type Point, type Step } from "../model/transition.ts";
import {
  type ExplorationResult,
  type ExploreOptions,
  foundDeadlock,
  Heartbeat,
  newStats,
  resultOf,
  traceOf,
  type Verdict,
} from "./result.ts";
import type { Outcome, Target } from "./target.ts";

interface Frame {
  readonly point: Point;
  readonly alternatives: readonly Step[];
  next: number;
}

export async function exploreDfs(
  target: Target,
  options: ExploreOptions = {},
): Promise<ExplorationResult> {
  const startedMs = performance.now();
  const maxDepth = options.maxDepth ?? Infinity;
  const maxExecutions = options.maxExecutions ?? Infinity;
  const heartbeat = new Heartbeat(options);
  const stats = newStats();
  // frames[i] is the state at depth i; path[i] the step taken from it.
  const frames: Frame[] = [];
  const path: Step[] = [];
  let depthCut = false;
  let atTop = false;
  const seen = options.visited ? new Set<bigint>() : null;
  /** Counts the state just reached; true when it was explored before (prune it). */
  const known = (): boolean => {
    const key = seen === null ? null : (target.stateHash?.() ?? null);
    if (key !== null && seen!.has(key)) {
      stats.pruned++;
      return true;
    }
    if (key !== null) seen!.add(key);
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
