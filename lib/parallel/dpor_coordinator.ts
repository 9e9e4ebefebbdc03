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
 * A job's answer is a function of its inputs alone (its prefix, sleep set and wakeup tree), so
 * answers are kept by those inputs: the frontier uses an answer only when its inputs are the
 * ones it has when it gets there. Free workers take the jobs the frontier will need next as
 * things stand (speculation, in the sequential order); one whose inputs change before the
 * frontier gets there (an earlier job inserted into its wakeup tree) is run again with the new
 * ones, the old answer unused. So the search is the sequential search, count for count.
 */

import { applyAbove, unpackOps } from "../explore/dpor/above.ts";
import { type Event, EventSet, stepFor } from "../explore/dpor/event.ts";
import { SleepSet } from "../explore/dpor/sleep.ts";
import type { DporReduction, Node } from "../explore/dpor/stack.ts";
import { treeData, treeKey, WakeupNode } from "../explore/dpor/wakeup_tree.ts";
import type { ExplorationResult, Stats } from "../explore/result.ts";
import { newStats } from "../explore/result.ts";
import type { Point, Step } from "../model/transition.ts";
import {
  addStats,
  type JobCoordinator,
  newMetrics,
  type ParallelMetrics,
  resultOfParts,
} from "./job_coordinator.ts";
import type { Job, JobOutcome, JobPart, SplitConfig } from "./job.ts";

/** A node above the cut, on the frontier's path. */
interface Top {
  readonly depth: number;
  /** The nodes above it with a choice (two steps enabled or more): the cut is at splitDepth. */
  readonly level: number;
  readonly id: readonly number[];
  readonly prefix: readonly Step[];
  /** The sequential search's node: sleep set, wakeup tree, backtrack set. */
  readonly node: Node;
  /** Its sleep set when the search reached it (the probe's input). */
  readonly arrival: SleepSet;
  phase: "probe" | "branches" | "leaf";
  point: Point | null;
  first: Event | null;
  /** The subtree job of the branch being explored (a child at the cut). */
  waiting: Unit | null;
}

/** A job, kept by its inputs. */
interface Unit {
  readonly key: string;
  /** Made when first handed out (a prediction asks for many it never hands out). */
  job: Job | null;
  readonly make: () => Job;
  state: "pending" | "running" | "done";
  worker: number | null;
  outcome: JobOutcome | null;
}

/**
 * The deepest node above the cut: the cut counts nodes with a choice (levelBelow), and a
 * program can run long before its first (a main that starts its threads one by one).
 */
const maxTopDepth = 64;

/** The level of `n`'s children: one more than `n`'s when `n` has a choice. */
function levelBelow(n: { level: number; point: Point | null }): number {
  let enabled = 0;
  for (const t of n.point!.transitions) if (t.enabled) enabled += t.choices;
  return n.level + (enabled > 1 ? 1 : 0);
}

/**
 * The mean states of subtree jobs under which the cut goes no deeper than splitDepth. Replayed
 * (scaling.ts) with 2 workers, lastzero(10)'s --jobs=1 job log gave 1.45x at 1,000 (36 jobs)
 * and 1.92x at 200 (68 jobs); waiting 4 jobs per worker made 610 jobs for 1.90x.
 */
const minJobStates = 200;
/** The cut goes deeper while fewer jobs than this per worker wait. */
const waitingPerWorker = 2;

/** How many jobs ahead of the frontier the prediction looks at most. */
const lookahead = 64;

export class DporCoordinator implements JobCoordinator {
  private epoch = 0;
  private spawners: number[] = [];
  private path: Top[] = [];
  private units = new Map<string, Unit>();
  /** The states of the subtree jobs used so far (their mean guides the cut, above()). */
  private jobStates = { sum: 0, count: 0 };
  /** Whether the node of a prefix is above the cut, once decided (above()). */
  private cut = new Map<string, boolean>();
  /** The job tree's indices of each node's branches (childIndex). */
  private childIds = new Map<string, Map<string, number>>();
  private stats: Stats = newStats();
  private parts: JobPart[] = [];
  private over = false;
  /** Answers the frontier used (the others were speculation whose inputs changed). */
  private used = 0;
  private readonly usedJobs = new WeakSet<Job>();
  readonly metrics: ParallelMetrics = newMetrics();

  constructor(readonly config: SplitConfig) {
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
      this.metrics.jobs++;
      this.metrics.messages++;
      return u.job;
    }
    return null;
  }

  complete(worker: number, job: Job, outcome: JobOutcome): void {
    this.metrics.messages++;
    if (job.epoch !== this.epoch) return;
    const u = this.units.get(job.key ?? "");
    if (u === undefined || u.state !== "running" || u.worker !== worker) return;
    u.worker = null;
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
    for (const u of this.units.values()) {
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
    const wanted = this.over ? new Set<Unit>() : new Set(this.predicted());
    const out = [];
    for (const u of this.units.values()) {
      if (u.state === "running" && u.worker !== null && !wanted.has(u) && u.job !== null) {
        out.push({ worker: u.worker, job: u.job });
      }
    }
    return out;
  }

  /** `worker` dropped `job` (told it was useless): it may be needed later after all. */
  dropped(worker: number, job: Job): void {
    const u = this.units.get(job.key ?? "");
    if (u === undefined || u.state !== "running" || u.worker !== worker) return;
    this.units.delete(u.key);
    this.metrics.dropped++;
  }

  get finished(): boolean {
    return this.over;
  }

  get busy(): number {
    let n = 0;
    for (const u of this.units.values()) if (u.state === "running") n++;
    return n;
  }

  result(seconds: number): ExplorationResult {
    this.metrics.unused = this.metrics.jobs - this.metrics.steals - this.metrics.dropped -
      this.used - this.busy;
    return resultOfParts(this.stats, this.parts, seconds);
  }

  private reset(): void {
    this.units = new Map();
    this.cut = new Map();
    this.childIds = new Map();
    this.jobStates = { sum: 0, count: 0 };
    this.used = 0;
    this.stats = newStats();
    this.parts = [];
    this.over = false;
    this.path = [this.top(0, 0, [], [], SleepSet.empty(), new WakeupNode(null))];
  }

  private top(
    depth: number,
    level: number,
    id: readonly number[],
    prefix: readonly Step[],
    sleep: SleepSet,
    tree: WakeupNode,
  ): Top {
    const node: Node = {
      sleep,
      tree,
      backtrack: new EventSet(),
      registered: new Set(),
      current: null,
      started: false,
    };
    return {
      depth,
      level,
      id,
      prefix,
      node,
      arrival: sleep.copy(),
      phase: "probe",
      point: null,
      first: null,
      waiting: null,
    };
  }

  /** The job of `inputs`, kept by them (made, pending, the first time they are asked for). */
  private unit(
    probe: boolean,
    id: readonly number[],
    prefix: readonly Step[],
    sleep: SleepSet,
    tree: WakeupNode,
  ): Unit {
    const steps = prefix.map((s) => `${s.actor}.${s.choice}`).join(" ");
    const treeAt = probe ? "" : treeKey(tree);
    const key = `${probe ? "p" : "x"}|${steps}|${sleep.key()}|${treeAt}`;
    let u = this.units.get(key);
    if (u === undefined) {
      const spawners = this.spawners;
      const epoch = this.epoch;
      const make = (): Job => {
        // Made when handed out: a unit is only found by its inputs' current name, so the tree
        // is still the one named (trees only grow; a grown one is another unit).
        if (!probe && treeKey(tree) !== treeAt) {
          throw new Error("internal: parallel: a job's wakeup tree changed under its name");
        }
        return {
          id,
          prefix,
          spawners,
          epoch,
          key,
          dpor: {
            probe,
            sleep: sleep.toData(),
            tree: probe ? { ev: null, below: [] } : treeData(tree),
          },
        };
      };
      u = { key, job: null, make, state: "pending", worker: null, outcome: null };
      this.units.set(key, u);
    }
    return u;
  }

  /** The answer of `u` once the frontier uses it (it is used once: forgotten then). */
  private take(u: Unit): JobOutcome | null {
    if (u.state !== "done") return null;
    this.units.delete(u.key);
    this.used++;
    if (u.job !== null) this.usedJobs.add(u.job);
    return u.outcome;
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
        const o = this.take(this.unit(true, n.id, n.prefix, n.arrival, n.node.tree));
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
        if (this.branch(n, false) === "blocked") {
          n.phase = "leaf";
        } else {
          addStats(this.stats, o.stats);
        }
      }
      if (n.phase === "leaf") {
        // Every step asleep: the execution ends here, analysed by a job (explorer.ts's blocked).
        const o = this.take(this.unit(false, n.id, n.prefix, n.node.sleep, n.node.tree));
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
        this.jobStates.sum += o.part.stats.states;
        this.jobStates.count++;
        this.use(o.part);
        if (this.over) break;
      }
      const b = this.branch(n, true);
      if (b === null || b === "blocked") {
        this.path.pop();
        continue;
      }
      n.node.current = b;
      const prefix = [...n.prefix, stepFor(n.point!, b.ev!)];
      const id = [...n.id, this.childIndex(n.id, b.ev!)];
      const sleep = n.node.sleep.after(b.ev!);
      const level = levelBelow(n);
      if (this.above(n, level, prefix, this.pending())) {
        this.path.push(this.top(n.depth + 1, level, id, prefix, sleep, b));
      } else {
        n.waiting = this.unit(false, id, prefix, sleep, b);
      }
    }
    // The search is over: what still runs is of no use, and nothing more is handed out.
    if (this.over) this.units = new Map([...this.units].filter(([, u]) => u.state === "running"));
  }

  /**
   * The next branch of `n` (stack.ts's branchOf, after finishing the current one); `blocked`
   * when the node has every step asleep. With `take` false, only whether it is blocked.
   */
  private branch(n: Top, take: boolean): WakeupNode | null | "blocked" {
    const node = n.node;
    if (node.current !== null) {
      node.sleep.add(node.current.ev!);
      node.backtrack.add(node.current.ev!);
      node.tree.remove(node.current);
      node.current = null;
    }
    while (node.tree.count > 0) {
      const first = node.tree.child(0);
      if (!node.sleep.has(first.ev!)) {
        if (take) node.started = true;
        return first;
      }
      node.tree.remove(first);
    }
    if (node.started) return null;
    if (n.first === null) {
      node.started = true;
      return "blocked";
    }
    if (!take) return null;
    node.started = true;
    node.tree.append([n.first]);
    node.backtrack.add(n.first);
    return node.tree.child(0);
  }

  /**
   * The index of the branch `ev` of the node `id` in the job tree (the job log's ids, replayed by
   * scaling.ts): given the first time the frontier or the prediction sees it, so both agree.
   */
  private childIndex(id: readonly number[], ev: Event): number {
    const key = id.join(".");
    let children = this.childIds.get(key);
    if (children === undefined) this.childIds.set(key, children = new Map());
    const name = `${ev.actor}.${ev.alt}`;
    let k = children.get(name);
    if (k === undefined) children.set(name, k = children.size);
    return k;
  }

  /** A job's part, in the sequential order: its counts, then what it adds above its root. */
  private use(part: JobPart): void {
    addStats(this.stats, part.stats);
    for (const op of part.ops === undefined ? [] : unpackOps(part.ops)) {
      const n = this.path[op.at];
      if (n === undefined || n.depth !== op.at) throw new Error("internal: parallel: op depth");
      applyAbove(this.reduction, n.node, op, this.stats);
    }
    this.parts.push({ ...part, ops: undefined });
    if (part.violation !== null || part.stopped !== null) this.over = true;
  }

  /**
   * The jobs the frontier will ask for, in its order, as things stand: the one it waits for,
   * then those of the branches after it at each node of its path, deepest first (a node's
   * later branches take the sleep set it will have then, its current branch asleep).
   */
  private predicted(): Unit[] {
    const out: Unit[] = [];
    this.advance();
    if (this.over) return out;
    for (let i = this.path.length - 1; i >= 0 && out.length < lookahead; i--) {
      const n = this.path[i];
      if (n.phase === "probe") {
        out.push(this.unit(true, n.id, n.prefix, n.arrival, n.node.tree));
        continue;
      }
      if (n.phase === "leaf") {
        out.push(this.unit(false, n.id, n.prefix, n.node.sleep, n.node.tree));
        continue;
      }
      if (n.waiting !== null) out.push(n.waiting);
      const sleep = n.node.sleep.copy();
      const current = n.node.current;
      if (current !== null) sleep.add(current.ev!);
      const from = current === null ? 0 : 1;
      this.future({ ...n, point: n.point! }, n.node.tree, from, n.node.started, sleep, out);
    }
    return out;
  }

  /** The jobs of `n`'s branches from the `from`-th of `tree` on, `sleep` at the first. */
  private future(
    n: {
      depth: number;
      level: number;
      id: readonly number[];
      prefix: readonly Step[];
      point: Point;
      first: Event | null;
    },
    tree: WakeupNode,
    from: number,
    started: boolean,
    sleep: SleepSet,
    out: Unit[],
  ): void {
    const branches: WakeupNode[] = [];
    for (let k = from; k < tree.count; k++) branches.push(tree.child(k));
    if (branches.length === 0 && !started && n.first !== null) {
      // An empty tree: the first step not asleep, as the node will take it.
      branches.push(new WakeupNode(n.first));
    }
    for (const b of branches) {
      if (out.length >= lookahead) return;
      if (sleep.has(b.ev!)) continue;
      let step: Step;
      try {
        step = stepFor(n.point, b.ev!);
      } catch {
        return; // not a step there: the prediction stops (the frontier will tell)
      }
      const prefix = [...n.prefix, step];
      const id = [...n.id, this.childIndex(n.id, b.ev!)];
      const below = sleep.after(b.ev!);
      const level = levelBelow(n);
      if (this.above(n, level, prefix, out.filter((u) => u.state === "pending").length)) {
        const probe = this.unit(true, id, prefix, below, b);
        out.push(probe);
        const o = probe.outcome;
        if (probe.state === "done" && o !== null && o.kind === "node") {
          const child = {
            depth: n.depth + 1,
            level,
            id,
            prefix,
            point: o.point,
            first: o.first,
          };
          this.future(child, b, 0, false, below, out);
        }
      } else {
        out.push(this.unit(false, id, prefix, below, b));
      }
      sleep = sleep.copy();
      sleep.add(b.ev!);
    }
  }

  /**
   * Whether the child of `n` at `level` (reached by `prefix`) is above the cut: a node of ours,
   * not a job's root. Above `splitDepth` levels, it is also when the jobs waiting for a worker
   * (`pending`, as the frontier or the prediction sees them when the child is first seen) are
   * fewer than two per worker: the sequential order makes a node's later branches known only
   * once its first ones are explored (their races), so the first subtree of a thin top would
   * otherwise be one job holding most of the search (indexer(15): 5 jobs at 4 levels). The
   * answer is kept for the child (the frontier and the prediction must agree on it, or every
   * job below would be asked for twice); exactness does not depend on where the cut is.
   */
  private above(
    n: { depth: number },
    level: number,
    prefix: readonly Step[],
    pending: number,
  ): boolean {
    if (n.depth + 1 >= maxTopDepth) return false;
    if (level < this.config.splitDepth) return true;
    const key = prefix.map((s) => `${s.actor}.${s.choice}`).join(" ");
    let above = this.cut.get(key);
    if (above === undefined) {
      // Small jobs cost more than they give (a job's start, its prefix, two messages): only
      // while the subtree jobs done so far are large (or none is done) does the cut go deeper.
      const large = this.jobStates.count === 0 ||
        this.jobStates.sum / this.jobStates.count >= minJobStates;
      above = large && pending < waitingPerWorker * (this.config.workers ?? 1);
      this.cut.set(key, above);
    }
    return above;
  }

  /** The jobs waiting for a worker. */
  private pending(): number {
    let n = 0;
    for (const u of this.units.values()) if (u.state === "pending") n++;
    return n;
  }
}
