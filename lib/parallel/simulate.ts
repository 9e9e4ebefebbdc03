/**
 * A parallel search run in one process: N simulated workers, each with its own target, driven
 * by a seeded scheduler that decides which running job finishes next (and, if asked, which
 * worker dies in the middle of its job). The coordinator and the job code are the ones the
 * worker processes run, so the property tests over every completion order test them.
 */

import type { ExplorationResult } from "../explore/result.ts";
import type { Target } from "../explore/target.ts";
import { Coordinator, type ParallelMetrics } from "./coordinator.ts";
import type { Job, SplitConfig } from "./job.ts";
import { runJob } from "./run_job.ts";

export interface Simulation {
  readonly workers: number;
  /** Seeds the order in which running jobs finish. */
  readonly seed: number;
  /** Chance that a worker dies instead of finishing its job (its job goes to another). */
  readonly deathRate?: number;
  /** At most this many deaths (a search over visited states starts over after each). */
  readonly maxDeaths?: number;
  /** Told before worker `worker` runs `job` (tests tag what the job's executions reach). */
  readonly onJob?: (worker: number, job: Job) => void;
}

export interface SimulatedResult {
  readonly result: ExplorationResult;
  readonly metrics: ParallelMetrics;
}

export async function simulate(
  newTarget: (worker: number) => Target,
  config: SplitConfig,
  sim: Simulation,
): Promise<SimulatedResult> {
  const coordinator = new Coordinator(config);
  const next = seeded(sim.seed);
  const targets = Array.from({ length: sim.workers }, (_, w) => newTarget(w));
  const running = new Map<number, Job>();
  let deaths = 0;
  try {
    while (!coordinator.finished) {
      for (let w = 0; w < sim.workers; w++) {
        if (running.has(w)) continue;
        const job = coordinator.next(w);
        if (job !== null) running.set(w, job);
      }
      const busy = [...running.keys()];
      if (busy.length === 0) throw new Error("internal: parallel: no job runs, none is done");
      const w = busy[Math.floor(next() * busy.length)];
      const job = running.get(w)!;
      running.delete(w);
      // Only workers with others left die, so that the search can always end.
      const mayDie = sim.workers > 1 && deaths < (sim.maxDeaths ?? Infinity);
      if (sim.deathRate !== undefined && mayDie && next() < sim.deathRate) {
        deaths++;
        coordinator.lost(w);
        continue;
      }
      sim.onJob?.(w, job);
      const claim = (hash: bigint): boolean => coordinator.claim(hash, job.epoch);
      coordinator.complete(w, job, await runJob(targets[w], config, job, undefined, claim));
    }
  } finally {
    for (const t of targets) await t.close();
  }
  return { result: coordinator.result(0), metrics: coordinator.metrics };
}

/** mulberry32, as the tests' random programs use. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
