/**
 * The coordinator of a parallel search, as a pure state machine: the job tree in the sequential
 * search's (depth-first) order, which job a free worker gets next, what a finished job or a
 * lost worker changes, and the search's result once every job that counts is done. It does no
 * I/O: the in-process simulation (simulate.ts) and the process driver (drive.ts) feed it.
 *
 * Exactness (docs/parallel.md): the jobs' subtrees partition the sequential search tree, each
 * is searched exactly as the sequential search searches it, and the result adds up the parts
 * in depth-first order up to the first one with a violation: what the sequential search, which
 * stops at its first violation, counted.
 */

import type { ExplorationResult, Stats } from "../explore/result.ts";
import { newStats } from "../explore/result.ts";
import {
  addStats,
  type JobCoordinator,
  newMetrics,
  type ParallelMetrics,
  resultOfParts,
} from "./job_coordinator.ts";
import type { Job, JobOutcome, JobPart, SplitConfig } from "./job.ts";
import { DporCoordinator } from "./dpor_coordinator.ts";
import type { OutputChunk } from "./output.ts";
import type { Step } from "../model/transition.ts";

export type { JobCoordinator, ParallelMetrics } from "./job_coordinator.ts";

interface Node {
  /** Asked for again with a smaller --max-executions bound when it ran past it (bound()). */
  job: Job;
  state: "pending" | "running" | "split" | "done";
  /** The worker running it (state running). */
  worker: number | null;
  /** A split node's own counts (its state, the step into it). */
  stats: Stats | null;
  part: JobPart | null;
  /** --max-executions: the sequential search ends in this job (bound()). */
  last: boolean;
  /** Asked to give work away, not answered with some since (donor()). */
  asked: boolean;
  /** The jobs it gave away (donated()): its own search no longer explores them. */
  gave: number;
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
  /** --show-output: the nodes before this one (in preorder) have given their output. */
  private shown = 0;
  /** Running jobs that can no longer count though not right of the end (donated()). */
  private orphans: { worker: number; job: Job }[] = [];
  /** Answers in that came from jobs a lost donor gave: forgotten, they do not count. */
  private readonly forgotten = new WeakSet<Job>();
  /** The states claimed in this epoch (--visited), by hash. */
  private readonly visited = new Set<bigint>();
  readonly metrics: ParallelMetrics = newMetrics();

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
      this.bound();
      return;
    }
    if (outcome.kind !== "split") throw new Error("internal: parallel: a probe's answer");
    node.state = "split";
    node.stats = outcome.stats;
    const children = outcome.branches.map((prefix, i) => this.pendingNode([...job.id, i], prefix));
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
        // Handed again, its job searches its whole subtree: what it gave away goes.
        if (n.gave > 0) this.forget(n);
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
    const out = this.orphans;
    this.orphans = [];
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

  /**
   * The leftmost running job not asked yet (the one the sequential order waits for first,
   * likely the one with the most left), when none is pending before the end.
   */
  donor(): { worker: number; job: Job } | null {
    const end = this.cutoff();
    for (let i = 0; i < end; i++) if (this.order[i].state === "pending") return null;
    for (let i = 0; i < end; i++) {
      const n = this.order[i];
      // The job the search ends in (--max-executions) keeps its work: nothing after it counts.
      if (n.state !== "running" || n.asked || n.last || n.worker === null) continue;
      n.asked = true;
      return { worker: n.worker, job: n.job };
    }
    return null;
  }

  /**
   * `worker` gave `paths` away from `job` (the branches left at its search's shallowest node
   * with any: run_job.ts). They come after everything the job still explores in the
   * sequential order, and before what came after the job: right after it, before what it gave
   * earlier (that was shallower, so later in the order).
   */
  donated(worker: number, job: Job, paths: readonly (readonly Step[])[]): void {
    this.metrics.messages++;
    if (job.epoch !== this.epoch) return;
    const at = this.order.findIndex((n) => n.job === job);
    if (at < 0) return;
    const node = this.order[at];
    if (node.state !== "running" || node.worker !== worker || paths.length === 0) return;
    node.asked = false;
    const round = ++node.gave;
    // Ids sort in the sequential order (scaling.ts): after the job's, a later gift first.
    const children = paths.map((prefix, i) => this.pendingNode([...job.id, -round, i], prefix));
    this.order.splice(at + 1, 0, ...children);
    this.metrics.donated += children.length;
  }

  /**
   * `n` is handed again whole: the jobs it gave away (those below its id) go, and those of
   * them still running are told to stop.
   */
  private forget(n: Node): void {
    // `gave` is kept: what it gives next is named apart from what went (donated()'s ids).
    n.asked = false;
    const below = (m: Node): boolean =>
      m !== n && m.job.id.length > n.job.id.length && n.job.id.every((x, i) => m.job.id[i] === x);
    for (const m of this.order) {
      if (below(m) && m.state === "running" && m.worker !== null) {
        this.orphans.push({ worker: m.worker, job: m.job });
      }
      if (below(m) && (m.state === "done" || m.state === "split")) this.forgotten.add(m.job);
    }
    this.order = this.order.filter((m) => !below(m));
  }

  unusedAnswer(job: Job): boolean {
    return this.forgotten.has(job);
  }

  /** `worker` dropped `job` (right of the first violation): it will not count. */
  dropped(worker: number, job: Job): void {
    const n = this.order.find((n) => n.job === job || sameId(n.job.id, job.id));
    if (n === undefined || n.state !== "running" || n.worker !== worker) return;
    n.state = "done";
    n.worker = null;
    this.metrics.dropped++;
  }

  takeOutput(): OutputChunk[] {
    const out: OutputChunk[] = [];
    const end = this.cutoff();
    while (this.shown < end) {
      const n = this.order[this.shown];
      if (n.state !== "done" && n.state !== "split") break;
      out.push(...(n.part?.output ?? []));
      this.shown++;
    }
    return out;
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
      const n = this.order[i];
      const p = n.part;
      if (n.last || (p !== null && (p.violation !== null || p.stopped !== null))) return i + 1;
    }
    return this.order.length;
  }

  /**
   * --max-executions: the sequential search stops right after the execution that reaches the
   * bound (dfs.ts, explorer.ts). Walking the job tree in its order over the jobs done, the job
   * in which that happens ends the search (`last`); one that ran with a larger bound than what
   * is left before it is asked for again with that much (a search cut at k executions is the
   * same search's first k executions, state for state), and its part says the stop.
   */
  private bound(): void {
    const bound = this.config.maxExecutions;
    if (bound === undefined) return;
    let before = 0;
    for (const n of this.order) {
      if (n.state === "split") {
        before += n.stats?.executions ?? 0;
        continue;
      }
      if (n.state !== "done" || n.part === null) return;
      const p = n.part;
      const left = bound - before;
      if (p.stats.executions >= left) {
        n.last = true;
        if ((n.job.maxExecutions ?? bound) !== left) {
          // Asked for again, its job searches its whole subtree (up to the bound): what it
          // gave away goes, and it gives nothing more (donor()).
          if (n.gave > 0) this.forget(n);
          n.job = { ...n.job, maxExecutions: left };
          n.state = "pending";
          n.part = null;
        } else if (p.violation === null && p.stopped === null) {
          n.part = { ...p, stopped: "max-executions" };
        }
        return;
      }
      // (A job asked for again that gave work away after all, a stale request: it is not the
      // end, what it gave counts.)
      n.last = false;
      if (p.violation !== null || p.stopped !== null) return;
      before += p.stats.executions;
    }
  }

  private reset(): void {
    this.shown = 0;
    this.visited.clear();
    this.order = [this.pendingNode([], [])];
  }

  /** A job not handed out yet, of this epoch. */
  private pendingNode(id: Job["id"], prefix: Job["prefix"]): Node {
    return {
      job: { id, prefix, spawners: this.spawners, epoch: this.epoch },
      state: "pending",
      worker: null,
      stats: null,
      part: null,
      last: false,
      asked: false,
      gave: 0,
    };
  }
}

function sameId(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
