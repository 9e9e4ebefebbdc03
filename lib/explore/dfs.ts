/**
 * Exhaustive depth-first exploration (`--reduction=none`): every interleaving of the actors and
 * every value of every choice, each execution run to its end. It stops at the first violation.
 */

import { enabledSteps, type Point, type Step } from "../model/transition.ts";
import {
  deadlockAt,
  type ExplorationResult,
  type ExploreOptions,
  finishStats,
  Heartbeat,
  newStats,
  traceOf,
} from "./result.ts";
import type { Target } from "./target.ts";

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

  const finish = (
    verdict: ExplorationResult["verdict"],
    rest: Partial<ExplorationResult> = {},
  ): ExplorationResult => ({
    verdict,
    violation: null,
    incomplete: null,
    ...rest,
    stats: finishStats(stats, startedMs, target.counters),
  });
  const points = (): Point[] => frames.map((f) => f.point);

  let outcome = await target.start();
  stats.states++;
  while (true) {
    if (outcome.kind === "violation") {
      stats.executions++;
      return finish("violation", {
        violation: { ...outcome.violation, trace: traceOf(points(), path) },
      });
    }
    if (outcome.kind === "done") {
      stats.executions++;
    } else {
      const point = outcome.point;
      const alternatives = enabledSteps(point);
      if (alternatives.length === 0) {
        stats.executions++;
        return finish("violation", {
          violation: {
            ...deadlockAt(point, target.names),
            trace: traceOf(points(), path),
            blocked: point,
          },
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
    stats.states++;
    if (path.length > stats.maxDepth) stats.maxDepth = path.length;
  }
  return depthCut ? finish("incomplete", { incomplete: "max-depth" }) : finish("ok");
}
