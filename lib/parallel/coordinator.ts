/**
 * The coordinator of a parallel search, as a pure state machine: the job tree in the sequential
 * search's (depth-first) order, which job a free worker gets next, what a finished job or a
 * lost worker changes, and the search's result once every job that counts is done. It does no
 * I/O: the in-process simulation (simulate.ts) and the process driver (local.ts) feed it.
 *
 * Exactness (docs/parallel.md): the jobs' subtrees partition the sequential search tree, each
 * is searched exactly as the sequential search searches it, and the result adds up the parts
 * in depth-first order up to the first one with a violation: what the sequential search, which
 * stops at its first violation, counted.
 */

import type { ExplorationResult, IncompleteReason, Stats } from "../explore/result.ts";
import { newStats } from "../explore/result.ts";
import type { Job, JobOutcome, JobPart, SplitConfig } from "./job.ts";
import { DporCoordinator } from "./dpor_coordinator.ts";

interface Node {
  readonly job: Job;
  state: "pending" | "running" | "split" | "done";
  /** The worker running it (state running). */
  worker: number | null;
  /** A split node's own counts (its state, the step into it). */
  stats: Stats | null;
  part: JobPart | null;
}

/** How the work was spread, for the report (--json's `parallel`). */
export interface ParallelMetrics {
  /** Jobs handed out (a job handed again after its worker was lost counts again). */
  jobs: number;
  /** Jobs taken from a lost worker and handed to another. */
  steals: number;
  /** Messages exchanged (jobs out, outcomes in; the driver adds its own). */
  messages: number;
  /** Times the split started over because an actor was found creating actors. */
  restarts: number;
  /** sdpor, odpor: answers not used (run ahead, then their inputs changed; dpor_coordinator.ts). */
  unused: number;
  /** Jobs the workers were told to drop (of no use any more: `useless`). */
  dropped: number;
}

/** What the drivers (simulate.ts, drive.ts) ask of a coordinator. */
export interface JobCoordinator {
  readonly config: SplitConfig;
  readonly metrics: ParallelMetrics;
  next(worker: number): Job | null;
  complete(worker: number, job: Job, outcome: JobOutcome): void;
  lost(worker: number): void;
  claim(hash: bigint, epoch: number): boolean;
  /** The jobs still running that can no longer count: their workers are told to drop them. */
  useless(): { worker: number; job: Job }[];
  /** `worker` dropped `job` as told: it is no longer running. */
  dropped(worker: number, job: Job): void;
  readonly finished: boolean;
  readonly busy: number;
  result(seconds: number): ExplorationResult;
  /** Whether `job`'s answer, once back, was left out of the result (speculation whose inputs changed). */
  unusedAnswer(job: Job): boolean;
}

/**
 * The coordinator of a search: under sdpor and odpor the one that owns the nodes above the cut
 * (dpor_coordinator.ts), otherwise the job tree below.
 */
export function newCoordinator(config: SplitConfig): JobCoordinator {
  return config.reduction === "sdpor" || config.reduction === "odpor"
    ? new DporCoordinator(config)
    : new Coordinator(config);
}

export class Coordinator implements JobCoordinator {
  /** Every node of the job tree, in preorder: the sequential search's order. */
  private order: Node[] = [];
  private epoch = 0;
  private spawners: number[] = [];
  /** The states claimed in this epoch (--visited), by hash. */
  private readonly visited = new Set<bigint>();
  readonly metrics: ParallelMetrics = {
    jobs: 0,
    steals: 0,
    messages: 0,
    restarts: 0,
    unused: 0,
    dropped: 0,
  };

  constructor(readonly config: SplitConfig) {
    this.reset();
  }

  /** The next job for `worker` (the leftmost pending one that still counts), or null. */
  next(worker: number): Job | null {
    const end = this.cutoff();
    for (let i = 0; i < end; i++) {
      const n = this.order[i];
      if (n.state !== "pending") continue;
      n.state = "running";
      n.worker = worker;
      this.metrics.jobs++;
      this.metrics.messages++;
      return n.job;
    }
    return null;
  }

  /** `worker` finished `job` with `outcome` (an outcome of an older attempt is dropped). */
  complete(worker: number, job: Job, outcome: JobOutcome): void {
    this.metrics.messages++;
    if (job.epoch !== this.epoch) return;
    const at = this.order.findIndex((n) => n.job === job || sameId(n.job.id, job.id));
    if (at < 0) return;
    const node = this.order[at];
    if (node.state !== "running" || node.worker !== worker) return;
    node.worker = null;
    if (outcome.kind === "spawner") {
      this.spawners = [...new Set([...this.spawners, ...outcome.spawners])].sort((a, b) => a - b);
      this.metrics.restarts++;
      this.epoch++;
      this.reset();
      return;
    }
    if (outcome.kind === "explored") {
      node.state = "done";
      node.part = outcome.part;
      return;
    }
    if (outcome.kind !== "split") throw new Error("internal: parallel: a probe's answer");
    node.state = "split";
    node.stats = outcome.stats;
    const children: Node[] = outcome.branches.map((prefix, i) => ({
      job: { id: [...job.id, i], prefix, spawners: this.spawners, epoch: this.epoch },
      state: "pending",
      worker: null,
      stats: null,
      part: null,
    }));
    this.order.splice(at + 1, 0, ...children);
  }

  /**
   * `worker` is gone: what it was running goes back to be handed to another. With visited
   * states, the states its job claimed may never be explored, and other jobs were pruned at
   * them: the search starts over (a new epoch; docs/parallel.md).
   */
  lost(worker: number): void {
    for (const n of this.order) {
      if (n.state === "running" && n.worker === worker) {
        n.state = "pending";
        n.worker = null;
        this.metrics.steals++;
        if (this.config.visited && !this.finished) {
          this.metrics.restarts++;
          this.epoch++;
          this.reset();
          return;
        }
      }
    }
  }

  /** With visited states: whether a job of `epoch` explores the state `hash` (the first asks). */
  claim(hash: bigint, epoch: number): boolean {
    this.metrics.messages++;
    if (epoch !== this.epoch || this.visited.has(hash)) return false;
    this.visited.add(hash);
    return true;
  }

  /** The jobs still running that can no longer count (after the first violation found). */
  useless(): { worker: number; job: Job }[] {
    const out = [];
    for (let i = this.cutoff(); i < this.order.length; i++) {
      const n = this.order[i];
      if (n.state === "running" && n.worker !== null) out.push({ worker: n.worker, job: n.job });
    }
    return out;
  }

  /** Whether every job that counts is done. */
  get finished(): boolean {
    const end = this.cutoff();
    for (let i = 0; i < end; i++) {
      const s = this.order[i].state;
      if (s === "pending" || s === "running") return false;
    }
    return true;
  }

  /** Whether some job is running (or pending) that counts. */
  get busy(): number {
    return this.order.filter((n) => n.state === "running").length;
  }

  unusedAnswer(): boolean {
    return false;
  }

  /** `worker` dropped `job` (right of the first violation): it will not count. */
  dropped(worker: number, job: Job): void {
    const n = this.order.find((n) => n.job === job || sameId(n.job.id, job.id));
    if (n === undefined || n.state !== "running" || n.worker !== worker) return;
    n.state = "done";
    n.worker = null;
    this.metrics.dropped++;
  }

  /** The search's result (once finished): the parts added up in order. */
  result(seconds: number): ExplorationResult {
    const stats = newStats();
    const end = this.cutoff();
    const parts: JobPart[] = [];
    for (let i = 0; i < end; i++) {
      const n = this.order[i];
      const s = n.state === "split" ? n.stats : n.part?.stats;
      if (s !== null && s !== undefined) addStats(stats, s);
      if (n.part !== null) parts.push(n.part);
    }
    return resultOfParts(stats, parts, seconds);
  }

  /** One past the last node that counts: the first part with a violation or a stop, included. */
  private cutoff(): number {
    for (let i = 0; i < this.order.length; i++) {
      const p = this.order[i].part;
      if (p !== null && (p.violation !== null || p.stopped !== null)) return i + 1;
    }
    return this.order.length;
  }

  private reset(): void {
    this.visited.clear();
    this.order = [{
      job: { id: [], prefix: [], spawners: this.spawners, epoch: this.epoch },
      state: "pending",
      worker: null,
      stats: null,
      part: null,
    }];
  }
}

function sameId(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The result of a search whose parts, in order, are `parts` and counts `counted`. */
export function resultOfParts(
  counted: Stats,
  parts: readonly JobPart[],
  seconds: number,
): ExplorationResult {
  const stats = { ...counted, seconds };
  let depthCut = false;
  let stopped: IncompleteReason | null = null;
  let endless = null;
  let violation = null;
  for (const part of parts) {
    depthCut ||= part.depthCut;
    if (part.stopped !== null && stopped === null) {
      stopped = part.stopped;
      endless = part.endless;
    }
    if (part.violation !== null) violation = part.violation;
  }
  if (violation !== null) return { verdict: "violation", violation, incomplete: null, stats };
  if (stopped !== null) {
    return { verdict: "incomplete", violation: null, incomplete: stopped, stats, endless };
  }
  if (depthCut) return { verdict: "incomplete", violation: null, incomplete: "max-depth", stats };
  return { verdict: "ok", violation: null, incomplete: null, stats };
}

/** Adds a part's counts to the total (the longest execution is the longest of the parts). */
export function addStats(total: Stats, s: Stats): void {
  total.executions += s.executions;
  total.states += s.states;
  total.pruned += s.pruned;
  total.hashCollisions += s.hashCollisions;
  total.transitions += s.transitions;
  total.maxDepth = Math.max(total.maxDepth, s.maxDepth);
  total.replayedTransitions += s.replayedTransitions;
  total.restarts += s.restarts;
  total.restores += s.restores;
  total.restoreSeconds += s.restoreSeconds;
  total.sleepBlocked += s.sleepBlocked;
  total.spinBlocked += s.spinBlocked;
  total.wakeupInsertions += s.wakeupInsertions;
}
