/**
 * The coordinator of a parallel sdpor or odpor search (docs/parallel.md, "sdpor and odpor"): it
 * owns the nodes above the cut (their sleep sets, wakeup trees, backtrack sets) and walks them
 * exactly as the sequential search's stack does, one node at a time in the sequential order
 * (the frontier). What it needs from the program comes from jobs: a probe replays a node's
 * prefix and tells its point and its first step not asleep; a subtree job searches the subtree
 * of a node at the cut, started from the sleep set and the wakeup tree the sequential search has
 * there, and answers with its counts and what its races add above its root (above.ts), which
 * the frontier applies in the order the sequential search does.
 *
 * The parts: the answers kept by their inputs (dpor_units.ts), the nodes and their branches
 * (dpor_walk.ts), where the cut is (dpor_cut.ts), what free workers are given ahead of the
 * frontier (dpor_predict.ts). This file is the frontier's walk and the JobCoordinator face.
 */

import { applyAbove, unpackOps } from "../explore/dpor/above.ts";
import { stepFor } from "../explore/dpor/event.ts";
import { SleepSet } from "../explore/dpor/sleep.ts";
import type { DporReduction } from "../explore/dpor/stack.ts";
import { WakeupNode } from "../explore/dpor/wakeup_tree.ts";
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
import { CutRule } from "./dpor_cut.ts";
import type { OutputChunk } from "./output.ts";
import { knownBranches, predict } from "./dpor_predict.ts";
import { type Unit, UnitCache } from "./dpor_units.ts";
import { ChildIds, levelBelow, newTop, nextBranch, type Top } from "./dpor_walk.ts";

export class DporCoordinator implements JobCoordinator {
  private epoch = 0;
  private spawners: number[] = [];
  private path: Top[] = [];
  private readonly cache = new UnitCache(() => ({ spawners: this.spawners, epoch: this.epoch }));
  private cut: CutRule;
  private ids = new ChildIds();
  private stats: Stats = newStats();
  private parts: JobPart[] = [];
  /** --show-output: the parts whose output was given. */
  private shown = 0;
  private over = false;
  /** Answers the frontier used (the others were speculation whose inputs changed). */
  private used = 0;
  private readonly usedJobs = new WeakSet<Job>();
  readonly metrics: ParallelMetrics = newMetrics();
  /** Subtree jobs guessed below undecided nodes (dpor_predict.ts): handed out, and used. */
  readonly guesses = { handed: 0, used: 0 };
  /**
   * Counts what can change the prediction (an answer taken in, a unit forgotten, a new
   * attempt); `predictedAt` is the prediction made at that count. Between two answers the
   * drivers ask for it once per free worker and once for the useless jobs: it was made anew
   * each time (readers(13), 2 workers: 272 ms of the coordinator's 810; bench/README.md).
   */
  private changes = 0;
  private predictedAt: { changes: number; units: Unit[]; wanted: Set<Unit> } | null = null;

  /** Nodes the cut split for a large known branch alone (dpor_cut.ts's holdsBig). */
  get bigSplits(): number {
    return this.cut.bigSplits;
  }

  constructor(readonly config: SplitConfig) {
    this.cut = this.newCut();
    this.reset();
  }

  private get reduction(): DporReduction {
    return this.config.reduction as DporReduction;
  }

  next(worker: number): Job | null {
    if (this.over) return null;
    for (const u of this.predicted()) {
      if (u.state !== "pending") continue;
      u.state = "running";
      u.worker = worker;
      u.job ??= u.make();
      if (u.guessed === true) this.guesses.handed++;
      this.metrics.jobs++;
      this.metrics.messages++;
      return u.job;
    }
    return null;
  }

  complete(worker: number, job: Job, outcome: JobOutcome): void {
    this.metrics.messages++;
    if (job.epoch !== this.epoch) return;
    const u = this.cache.byKey(job.key);
    // The very job the unit runs (not an earlier one of the same inputs, asked for again).
    if (u === undefined || u.state !== "running" || u.worker !== worker || u.job !== job) return;
    u.worker = null;
    this.changes++;
    if (outcome.kind === "spawner") {
      this.spawners = [...new Set([...this.spawners, ...outcome.spawners])].sort((a, b) => a - b);
      this.metrics.restarts++;
      this.epoch++;
      this.reset();
      return;
    }
    u.state = "done";
    u.outcome = outcome;
    this.advance();
  }

  lost(worker: number): void {
    for (const u of this.cache.values()) {
      if (u.state === "running" && u.worker === worker) {
        u.state = "pending";
        u.worker = null;
        this.metrics.steals++;
      }
    }
  }

  unusedAnswer(job: Job): boolean {
    return !this.usedJobs.has(job);
  }

  claim(): boolean {
    throw new Error("internal: parallel: --visited is not a DPOR search");
  }

  /** Jobs still running that the frontier will not use: past the end, or inputs changed. */
  useless(): { worker: number; job: Job }[] {
    const wanted = this.over ? new Set<Unit>() : this.prediction().wanted;
    const out = [];
    for (const u of this.cache.values()) {
      if (u.state === "running" && u.worker !== null && !wanted.has(u) && u.job !== null) {
        out.push({ worker: u.worker, job: u.job });
      }
    }
    return out;
  }

  /** `worker` dropped `job` (told it was useless): it may be needed later after all. */
  dropped(worker: number, job: Job): void {
    const u = this.cache.byKey(job.key);
    if (u === undefined || u.state !== "running" || u.worker !== worker) return;
    this.cache.delete(u);
    this.changes++;
    this.metrics.dropped++;
  }

  get finished(): boolean {
    return this.over;
  }

  get busy(): number {
    return this.cache.count("running");
  }

  result(seconds: number): ExplorationResult {
    this.metrics.unused = this.metrics.jobs - this.metrics.steals - this.metrics.dropped -
      this.used - this.busy;
    return resultOfParts(this.stats, this.parts, seconds);
  }

  /**
   * sdpor, odpor: no job gives work away. A node's later branches are known only once its
   * earlier ones are explored (their races insert them), so what a running job could give
   * exactly is its root's next branch once it comes back to it; the cut (dpor_cut.ts) goes
   * deeper instead while few branches are known (docs/parallel.md, "Donations").
   */
  donor(): null {
    return null;
  }

  donated(): void {
    // never asked (donor)
  }

  takeOutput(): OutputChunk[] {
    const out: OutputChunk[] = [];
    for (; this.shown < this.parts.length; this.shown++) {
      out.push(...(this.parts[this.shown].output ?? []));
    }
    return out;
  }

  private newCut(): CutRule {
    return new CutRule(this.config.splitDepth, this.config.workers ?? 1);
  }

  private reset(): void {
    this.changes++;
    this.cache.clear();
    this.cut = this.newCut();
    this.ids = new ChildIds();
    this.used = 0;
    this.stats = newStats();
    this.parts = [];
    this.shown = 0;
    this.over = false;
    this.path = [newTop(0, 0, [], [], SleepSet.empty(), new WakeupNode(null))];
  }

  /**
   * The answer of `u` once the frontier uses it (it is used once: forgotten then); null while
   * it is not in. With --max-executions, an answer that ran past what is left of the bound is
   * asked for again with that much (the sequential search stops inside its subtree, and a
   * search cut at k executions is the same search's first k: exploreDpor counts them alike).
   */
  private take(u: Unit): JobOutcome | null {
    if (u.state !== "done") return null;
    const bound = this.config.maxExecutions;
    const o = u.outcome!;
    if (bound !== undefined && o.kind === "explored") {
      const left = bound - this.stats.executions;
      if (o.part.stats.executions >= left && (u.limit ?? bound) !== left) {
        this.cache.again(u, left);
        return null;
      }
    }
    this.cache.delete(u);
    this.used++;
    if (u.guessed === true) this.guesses.used++;
    if (u.job !== null) this.usedJobs.add(u.job);
    return o;
  }

  /**
   * The frontier walks on as far as the answers it has allow: the sequential search's stack,
   * over the nodes above the cut (stack.ts's nextBranch and branchOf, explorer.ts's loop).
   */
  private advance(): void {
    while (!this.over) {
      const n = this.path.at(-1);
      if (n === undefined) {
        this.over = true;
        break;
      }
      if (n.phase === "probe") {
        const o = this.take(this.cache.unit(true, n.id, n.prefix, n.arrival, n.node.tree, true));
        if (o === null) return;
        if (o.kind === "explored") {
          this.use(o.part);
          this.path.pop();
          continue;
        }
        if (o.kind !== "node") throw new Error("internal: parallel: a probe split");
        n.point = o.point;
        n.first = o.first;
        n.phase = "branches";
        if (nextBranch(n, false) === "blocked") {
          n.phase = "leaf";
        } else {
          addStats(this.stats, o.stats);
          // Where the cut is below n: from the sequential order's state alone (dpor_cut.ts).
          this.cut.decide(n, knownBranches(this.path));
        }
      }
      if (n.phase === "leaf") {
        // Every step asleep: the execution ends here, analysed by a job (explorer.ts's blocked).
        const o = this.take(
          this.cache.unit(false, n.id, n.prefix, n.node.sleep, n.node.tree, true),
        );
        if (o === null) return;
        if (o.kind !== "explored") throw new Error("internal: parallel: a leaf job split");
        this.use(o.part);
        this.path.pop();
        continue;
      }
      if (n.waiting !== null) {
        const o = this.take(n.waiting);
        if (o === null) return;
        if (o.kind !== "explored") throw new Error("internal: parallel: a subtree job split");
        n.waiting = null;
        this.cut.used(o.part.stats.states, o.part.stats.executions);
        this.use(o.part);
        if (this.over) break;
      }
      const b = nextBranch(n, true);
      if (b === null || b === "blocked") {
        this.path.pop();
        continue;
      }
      n.node.current = b;
      const prefix = [...n.prefix, stepFor(n.point!, b.ev!)];
      const id = [...n.id, this.ids.of(n.id, b.ev!)];
      const sleep = n.node.sleep.after(b.ev!);
      const level = levelBelow(n);
      if (this.cut.above(n, level) === true) {
        this.path.push(newTop(n.depth + 1, level, id, prefix, sleep, b));
      } else {
        n.waiting = this.cache.unit(false, id, prefix, sleep, b, true);
      }
    }
    // The search is over: what still runs is of no use, and nothing more is handed out.
    if (this.over) this.cache.keepRunning();
  }

  /**
   * A job's part, in the sequential order: its counts, then what it adds above its root. The
   * search ends at a part with a violation or a stop, or once --max-executions are counted
   * (explorer.ts stops right after the execution that reaches the bound).
   */
  private use(part: JobPart): void {
    addStats(this.stats, part.stats);
    for (const op of part.ops === undefined ? [] : unpackOps(part.ops)) {
      const n = this.path[op.at];
      if (n === undefined || n.depth !== op.at) throw new Error("internal: parallel: op depth");
      applyAbove(this.reduction, n.node, op, this.stats);
    }
    const bound = this.config.maxExecutions;
    const reached = bound !== undefined && this.stats.executions >= bound &&
      part.violation === null && part.stopped === null;
    this.parts.push({
      ...part,
      ops: undefined,
      stopped: reached ? "max-executions" : part.stopped,
    });
    if (part.violation !== null || part.stopped !== null || reached) this.over = true;
  }

  /** The jobs the frontier will ask for, in its order, as things stand (dpor_predict.ts). */
  private predicted(): Unit[] {
    return this.prediction().units;
  }

  /** predicted(), and as a set; made again only once something it reads changed. */
  private prediction(): { units: Unit[]; wanted: Set<Unit> } {
    const memo = this.predictedAt;
    if (memo !== null && memo.changes === this.changes) return memo;
    this.advance();
    const units = this.over
      ? []
      : predict({ cache: this.cache, cut: this.cut, ids: this.ids }, this.path);
    // (advance only walks on after an answer came in, which counts a change: it did not now.)
    const made = { changes: this.changes, units, wanted: new Set(units) };
    this.predictedAt = made;
    return made;
  }
}
