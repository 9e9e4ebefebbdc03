/**
 * A parallel search run in one process: N simulated workers, each with its own target, their
 * jobs running at once and interleaved step by step by a seeded scheduler (which worker's
 * target takes the next start, step or restore; and, if asked, which worker dies in the middle
 * of its job). The coordinator and the job code are the ones the worker processes run, so the
 * property tests over every interleaving test them.
 *
 * Jobs run at once, as on real workers, rather than one after the other: a job to the right of
 * the first violation can have a subtree far larger than the whole sequential search, and real
 * workers are stopped when the search is over, not when such a job ends.
 */

import type { ExplorationResult } from "../explore/result.ts";
import type { AheadHint, Outcome, Target } from "../explore/target.ts";
import type { Step } from "../model/transition.ts";
import { ForwardingTarget } from "../explore/forwarding_target.ts";
import { newCoordinator, type ParallelMetrics } from "./coordinator.ts";
import { DporCoordinator } from "./dpor_coordinator.ts";
import type { Job, JobOutcome, SplitConfig } from "./job.ts";
import { runJob } from "./run_job.ts";
import { JobStarts } from "./job_target.ts";
import { decodeBody, encodeFrame, type ToCoordinator, type ToWorker } from "./wire.ts";

export interface Simulation {
  readonly workers: number;
  /** Seeds the interleaving of the workers' steps. */
  readonly seed: number;
  /** Chance that a worker dies during a job (its job goes to another). */
  readonly deathRate?: number;
  /** At most this many deaths (a search over visited states starts over after each). */
  readonly maxDeaths?: number;
  /** Told before worker `worker` runs `job` (tests tag what the job's executions reach). */
  readonly onJob?: (worker: number, job: Job) => void;
  /** Told when worker `worker` dies running `job` (what the job reached does not count). */
  readonly onLost?: (worker: number, job: Job) => void;
}

export interface SimulatedResult {
  readonly result: ExplorationResult;
  readonly metrics: ParallelMetrics;
  /** Whether a job's answer was left out (run ahead, its inputs changed: dpor_coordinator.ts). */
  readonly unused: (job: Job) => boolean;
  /** sdpor/odpor: the subtree jobs guessed below undecided nodes, handed out and used. */
  readonly guesses: { readonly handed: number; readonly used: number } | null;
  /** Jobs begun where the worker's last job left its target (job_target.ts's JobStarts). */
  readonly reused: { readonly continued: number; readonly restored: number };
  /** sdpor/odpor: the nodes the cut split for a large known branch alone (dpor_cut.ts). */
  readonly bigSplits: number | null;
}

/** A worker's job in the simulation: parked at its target's next call, or ended. */
interface Running {
  readonly job: Job;
  /** Lets the parked call go on; null while the job runs or once it ended. */
  resume: ((go: boolean) => void) | null;
  /** What the job gave, once it ended (lost: the worker died). */
  ended: JobOutcome | "lost" | null;
  /** Turns the worker takes before it dies (Infinity: it does not). */
  dieAfter: number;
  /** Asked to give work away (a free worker found no job: coordinator.donor()). */
  donate: boolean;
  /** Resolved when the job parks again or ends: the scheduler waits on it after each turn. */
  settled: Promise<void>;
  settle: () => void;
}

/** Thrown into a parked job whose worker died or whose search is over. */
class Stopped extends Error {}

export async function simulate(
  newTarget: (worker: number) => Target,
  config: SplitConfig,
  sim: Simulation,
): Promise<SimulatedResult> {
  const coordinator = newCoordinator({ ...config, workers: config.workers ?? sim.workers });
  const next = seeded(sim.seed);
  const running = new Map<number, Running>();
  const park = async (w: number): Promise<void> => {
    const r = running.get(w)!;
    const go = await new Promise<boolean>((resolve) => {
      r.resume = resolve;
      r.settle();
    });
    if (!go) throw new Stopped();
  };
  const targets = Array.from({ length: sim.workers }, (_, w) => new Paced(newTarget(w), park, w));
  // Each worker begins its jobs where its last one left its target, as a worker process does
  // (job_target.ts); one that dies comes back as a new worker, knowing nothing.
  const starts = targets.map((t) => new JobStarts(t, !config.visited));
  const reused = { continued: 0, restored: 0 };
  const tally = (s: JobStarts): void => {
    reused.continued += s.continued;
    reused.restored += s.restored;
  };
  let deaths = 0;
  const launch = (w: number, job: Job): Promise<void> => {
    // Only workers with others left die, so that the search can always end.
    const mayDie = sim.workers > 1 && deaths < (sim.maxDeaths ?? Infinity);
    const dies = mayDie && sim.deathRate !== undefined && next() < sim.deathRate;
    if (dies) deaths++;
    let settle = (): void => {};
    const r: Running = {
      job,
      resume: null,
      ended: null,
      dieAfter: dies ? Math.floor(next() * 40) : Infinity,
      donate: false,
      settled: new Promise<void>((resolve) => (settle = resolve)),
      settle: () => settle(),
    };
    running.set(w, r);
    sim.onJob?.(w, job);
    const claim = (hash: bigint): boolean => coordinator.claim(hash, job.epoch);
    // The job and its outcome go through the wire's encoding, as to and from a worker process
    // (what JSON cannot carry, an Infinity, would be lost there too).
    // A donation crosses the wire too, before the job's outcome, as from a worker process.
    const donate = {
      asked: (): boolean => {
        const asked = r.donate;
        r.donate = false;
        return asked;
      },
      give: (paths: readonly (readonly Step[])[]): void => {
        const m = overWire({ type: "donated", id: job.id, epoch: job.epoch, paths });
        coordinator.donated(w, job, m.paths);
      },
    };
    const crossed = overWire({ type: "job", job }).job;
    runJob(targets[w], config, crossed, undefined, claim, starts[w], donate).then(
      (
        outcome,
      ) => (r.ended = overWire({ type: "outcome", job, outcome, actors: [], objects: [] }).outcome),
      (e) => {
        if (!(e instanceof Stopped)) throw e;
        r.ended = "lost";
        tally(starts[w]);
        starts[w] = new JobStarts(targets[w], !config.visited);
      },
    ).catch((e) => (failure ??= e)).finally(() => r.settle());
    return r.settled;
  };
  /** Lets worker `w`'s parked job go on (or stops it), and waits until it parks or ends. */
  const turn = (w: number, go: boolean): Promise<void> => {
    const r = running.get(w)!;
    const resume = r.resume!;
    r.resume = null;
    r.settled = new Promise<void>((resolve) => (r.settle = resolve));
    resume(go);
    return r.settled;
  };
  let failure: unknown = null;
  try {
    while (!coordinator.finished) {
      for (let w = 0; w < sim.workers; w++) {
        if (running.has(w)) continue;
        const job = coordinator.next(w);
        if (job !== null) {
          await launch(w, job);
          continue;
        }
        // Nothing to hand out: the coordinator picks a running job to give work away.
        const donor = coordinator.donor();
        const r = donor === null ? undefined : running.get(donor.worker);
        if (r !== undefined && r.job === donor!.job) r.donate = true;
      }
      if (failure !== null) throw failure;
      // Jobs that ended report, lowest worker first (the order they ended in is the turns').
      const ended = [...running].filter(([, r]) => r.ended !== null);
      for (const [w, r] of ended) {
        running.delete(w);
        if (r.ended === "lost") {
          sim.onLost?.(w, r.job);
          coordinator.lost(w);
        } else coordinator.complete(w, r.job, r.ended!);
      }
      if (ended.length > 0) {
        // Jobs that can no longer count are dropped, as drive.ts tells real workers to: their
        // workers take other jobs (what the dropped jobs reached does not count).
        if (!coordinator.finished) {
          for (const { worker, job } of coordinator.useless()) {
            const r = running.get(worker);
            if (r === undefined || r.job !== job) continue;
            coordinator.dropped(worker, job);
            sim.onLost?.(worker, job);
            while (r.resume !== null) await turn(worker, false);
            running.delete(worker);
          }
        }
        continue;
      }
      const busy = [...running.keys()];
      if (busy.length === 0) throw new Error("internal: parallel: no job runs, none is done");
      const w = busy[Math.floor(next() * busy.length)];
      const r = running.get(w)!;
      await turn(w, r.dieAfter-- > 0);
      if (failure !== null) throw failure;
    }
  } finally {
    // The search is over: the jobs still running are of no use, as real workers are told.
    for (const [w, r] of running) while (r.resume !== null) await turn(w, false);
    for (const t of targets) await t.close();
  }
  for (const s of starts) tally(s);
  return {
    result: coordinator.result(0),
    metrics: coordinator.metrics,
    unused: (job) => coordinator.unusedAnswer(job),
    guesses: coordinator instanceof DporCoordinator ? { ...coordinator.guesses } : null,
    reused,
    bigSplits: coordinator instanceof DporCoordinator ? coordinator.bigSplits : null,
  };
}

/** A worker's target whose every start, step and restore waits for the worker's turn. */
class Paced extends ForwardingTarget {
  constructor(
    inner: Target,
    private readonly park: (w: number) => Promise<void>,
    readonly w: number,
  ) {
    super(inner);
  }

  override async start(): Promise<Outcome> {
    await this.park(this.w);
    return this.inner.start();
  }

  override async execute(step: Step, ahead?: AheadHint): Promise<Outcome> {
    await this.park(this.w);
    return this.inner.execute(step, ahead);
  }

  override async restore(path: readonly Step[], known?: number): Promise<void> {
    await this.park(this.w);
    return this.inner.restore(path, known);
  }
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

/** `message` as the other side of a connection gets it. */
function overWire<M extends ToWorker | ToCoordinator>(message: M): M {
  return decodeBody(encodeFrame(message).subarray(4)) as M;
}
