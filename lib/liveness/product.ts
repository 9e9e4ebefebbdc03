/**
 * The product of the liveness search (search.ts): the depth-first stack of (program state,
 * automaton state) pairs, the program path that reaches the top, the table of states met and
 * Couvreur's root stack (roots.ts). It knows how to take the top's next product edge (executing
 * the program step it needs), follow it (push a new state or merge the components a back edge
 * closes) and pop; the search loop drives it.
 */

import {
  foundDeadlock,
  type FoundViolation,
  type IncompleteReason,
  traceOf,
  type Verdict,
} from "../explore/result.ts";
import type { Target } from "../explore/target.ts";
import { allAcc, type Automaton, type Edge, matches } from "../ltl/automaton.ts";
import {
  anyEnabled,
  type Point,
  type Step,
  type Transition,
  transitionOf,
} from "../model/transition.ts";
import { buildLasso, type Lasso, type PrefixState } from "./lasso.ts";
import { blockedEnd, type Observed, Observer } from "./observe.ts";
import { RootStack } from "./roots.ts";
import type { LivenessOptions, LivenessResult, LivenessStats } from "./search.ts";
import { HashSet64, ProductTable } from "./table.ts";

interface Frame {
  readonly obs: Observed;
  readonly q: number;
  readonly num: number;
  /** Automaton transitions from q that the state's letter takes. */
  readonly edges: readonly Edge[];
  /** Program steps from the initial state to this one. */
  readonly pathLength: number;
  /** The program step that led here from the frame below (null: a stutter, or the start). */
  readonly inStep: Step | null;
  /** The step being tried (null: all tried), and the index of its transition in the point. */
  step: Step | null;
  ti: number;
  edgeIndex: number;
  /** The state the current step leads to, once executed. */
  succ: Observed | null;
}

/** Where the target is: at a frame's state, or at the state its current step leads to. */
interface Position {
  depth: number;
  after: boolean;
}

/** An edge of the product out of the top frame: to `succ` in automaton state `edge.to`. */
export interface ProductEdge {
  readonly succ: Observed;
  /** The program step it takes (null: a stutter of a state without a point). */
  readonly step: Step | null;
  readonly edge: Edge;
}

/** The search's state: the DFS stack of product states, the path, the tables, the roots. */
export class ProductSearch {
  private readonly aut: Automaton;
  private readonly all: number;
  private readonly weak: boolean;
  private readonly finiteDeadlocks: boolean;
  private readonly maxDepth: number;
  private readonly observer: Observer;
  private readonly table = new ProductTable();
  private readonly programStates = new HashSet64();
  private readonly frames: Frame[] = [];
  private readonly path: Step[] = [];
  private readonly pathPoints: Point[] = [];
  private readonly roots = new RootStack();
  /** The automaton transitions a letter takes from a state, shared by the frames needing them. */
  private readonly edgeCache = new Map<number, readonly Edge[]>();
  private counter = 0;
  private position: Position | null = null;
  // How many first steps of `path` are known to be the target's own (Target.restore's
  // `known`): the target then does not compare the whole path at every restore, whose cost
  // grew with the depth (a quarter of the time at 27,000 states on counters.c). Never more
  // than path.length; lowered when the path is cut, raised when the target steps along it.
  private synced = 0;
  private depthCut = false;

  constructor(
    private readonly target: Target,
    options: LivenessOptions,
    private readonly stats: LivenessStats,
    private readonly startedMs: number,
  ) {
    this.aut = options.automaton;
    this.all = allAcc(this.aut);
    this.weak = (options.fairness ?? "none") === "weak";
    this.finiteDeadlocks = options.deadlockIsFinite ?? false;
    this.maxDepth = options.maxDepth ?? Infinity;
    this.observer = new Observer(target, this.aut, options.source);
  }

  /** Whether some product state is still on the stack. */
  get open(): boolean {
    return this.frames.length > 0;
  }

  /** Starts the program and pushes the initial state; the result if the search ends there. */
  async begin(): Promise<LivenessResult | null> {
    const first = await this.target.start();
    if (first.kind === "violation") {
      return this.finish("violation", { violation: { ...first.violation, trace: [] } });
    }
    const deadlock = first.kind === "point" && !anyEnabled(first.point);
    if (deadlock && !this.finiteDeadlocks && first.kind === "point") {
      const violation = foundDeadlock(first.point, [], [], this.target.names);
      return this.finish("violation", { violation });
    }
    const init = this.observer.observe(first, deadlock);
    this.position = { depth: 0, after: false };
    this.push(init, this.aut.initial, null, 0, 0n);
    return null;
  }

  /**
   * The top frame's next product edge: (successor program state, automaton edge, step), the
   * step executed if it was not yet. Null when the frame moved on to its next step or was
   * popped; a result when the step met a safety violation.
   */
  async nextEdge(): Promise<ProductEdge | LivenessResult | null> {
    const depth = this.frames.length - 1;
    const top = this.frames[depth];
    if (top.obs.point === null) {
      if (top.edgeIndex >= top.edges.length) return this.pop();
      return { succ: top.obs, step: null, edge: top.edges[top.edgeIndex++] };
    }
    if (top.edges.length === 0 || top.step === null) return this.pop();
    if (top.succ === null) {
      const found = await this.execute(depth, top, top.step);
      if (found !== null) return found;
    }
    if (top.edgeIndex >= top.edges.length) {
      top.succ = null;
      const next = stepFrom(top.obs.point, top.ti, top.step.choice + 1);
      top.step = next?.step ?? null;
      top.ti = next?.ti ?? top.ti;
      return null;
    }
    return { succ: top.succ!, step: top.step, edge: top.edges[top.edgeIndex++] };
  }

  /** Follows a product edge: a new state is pushed, a back edge merges components. */
  async follow({ succ, step, edge }: ProductEdge): Promise<LivenessResult | null> {
    const depth = this.frames.length - 1;
    const top = this.frames[depth];
    const mover = step === null ? 0n : 1n << BigInt(step.actor);
    const known = this.table.lookup(succ.lo, succ.hi, edge.to);
    if (known < 0) {
      if (step !== null && top.pathLength + 1 > this.maxDepth) {
        this.depthCut = true;
        return null;
      }
      if (step === null) {
        this.push(succ, edge.to, null, edge.acc, mover);
        return null;
      }
      if (succ.point !== null) await this.moveTo(depth, true);
      const here = this.position;
      const there = here !== null && here.depth === depth && here.after;
      this.push(succ, edge.to, step, edge.acc, mover);
      // The target executed this very step from the frame's state: its path is the search's.
      if (there && this.synced === this.path.length - 1) this.synced = this.path.length;
      this.position = there ? { depth: depth + 1, after: false } : null;
      return null;
    }
    this.stats.pruned++;
    if (known === 0) return null; // its component is finished: no cycle through it
    this.roots.merge(known, edge.acc, mover);
    if (!this.roots.accepting(this.all, this.weak)) return null;
    return this.finish("violation", { lasso: await this.lassoOf() });
  }

  /** The result once every product state was explored without an accepted cycle. */
  ended(): LivenessResult {
    return this.depthCut
      ? this.finish("incomplete", { incomplete: "max-depth" })
      : this.finish("ok");
  }

  /** Brings the counts of the tables into the stats (for the progress line and the end). */
  count(): void {
    this.stats.programStates = this.programStates.count;
    this.stats.tableBytes = this.table.bytes + this.programStates.bytes;
  }

  finish(
    verdict: Verdict,
    rest: { violation?: FoundViolation; lasso?: Lasso; incomplete?: IncompleteReason } = {},
  ): LivenessResult {
    const { stats, target } = this;
    stats.seconds = (performance.now() - this.startedMs) / 1000;
    this.count();
    stats.replayedTransitions = target.counters.replayedSteps;
    stats.restarts = target.counters.restarts;
    stats.restores = target.counters.restores;
    stats.restoreSeconds = target.counters.restoreSeconds;
    return {
      verdict,
      violation: rest.violation ?? null,
      lasso: rest.lasso ?? null,
      incomplete: rest.incomplete ?? null,
      stats,
    };
  }

  /** Executes the frame's current step; the result if it met a safety violation. */
  private async execute(depth: number, top: Frame, s: Step): Promise<LivenessResult | null> {
    await this.moveTo(depth, false);
    const outcome = await this.target.execute(s);
    this.stats.transitions++;
    this.position = { depth, after: true };
    // Copies of the path only for a counterexample: they are as long as the search is deep.
    const taken = (): Transition[] =>
      takenAlong([...this.pathPoints, top.obs.point!], [...this.path, s]);
    if (outcome.kind === "violation") {
      const trace = traceOf(taken(), [...this.path, s]);
      return this.finish("violation", { violation: { ...outcome.violation, trace } });
    }
    const end = outcome.kind === "point" ? blockedEnd(outcome.point) : null;
    const deadlock = end === "deadlock";
    if (deadlock && !this.finiteDeadlocks && outcome.kind === "point") {
      const violation = foundDeadlock(outcome.point, taken(), [...this.path, s], this.target.names);
      return this.finish("violation", { violation });
    }
    top.succ = this.observer.observe(outcome, deadlock, end === "livelock");
    top.edgeIndex = 0;
    return null;
  }

  /** Puts the target at frame `depth`'s state, or (`after`) where its current step leads. */
  private async moveTo(depth: number, after: boolean): Promise<void> {
    const position = this.position;
    if (position !== null && position.depth === depth && position.after === after) return;
    const f = this.frames[depth];
    const path = this.path;
    // The path is the top frame's in the common case: no copy of it (it can be long).
    const steps = f.pathLength === path.length ? path : path.slice(0, f.pathLength);
    if (after) steps.push(f.step!);
    await this.target.restore(steps, Math.min(this.synced, f.pathLength));
    if (after && steps === path) path.pop();
    this.synced = f.pathLength;
    this.position = { depth, after };
  }

  private push(obs: Observed, q: number, inStep: Step | null, acc: number, mover: bigint): void {
    const num = ++this.counter;
    this.table.insert(obs.lo, obs.hi, q, num);
    this.programStates.add(obs.lo, obs.hi);
    this.stats.states++;
    const below = this.frames[this.frames.length - 1] as Frame | undefined;
    if (inStep !== null && below !== undefined) {
      this.path.push(inStep);
      this.pathPoints.push(below.obs.point!);
    }
    const firstStep = obs.point === null ? null : stepFrom(obs.point, 0, 0);
    this.frames.push({
      obs,
      q,
      num,
      edges: this.edgesFor(q, obs.letter),
      pathLength: this.path.length,
      inStep,
      step: firstStep?.step ?? null,
      ti: firstStep?.ti ?? 0,
      edgeIndex: 0,
      succ: null,
    });
    if (this.path.length > this.stats.maxDepth) this.stats.maxDepth = this.path.length;
    this.roots.push(num, obs.enabled, acc, mover);
  }

  /** Pops the top frame (its component finished if it was the root); null, for nextEdge. */
  private pop(): null {
    const f = this.frames.pop()!;
    if (this.roots.leave(f.num)) this.table.finishFrom(f.num);
    const below = this.frames[this.frames.length - 1];
    if (below === undefined) return null;
    this.path.length = below.pathLength;
    this.pathPoints.length = below.pathLength;
    this.synced = Math.min(this.synced, this.path.length);
    const depth = this.frames.length; // the popped frame's
    const position = this.position;
    if (position === null || position.depth < depth) return null;
    // The target still at the popped state is at the state the frame below's step leads to.
    this.position = position.depth === depth && !position.after && f.inStep !== null
      ? { depth: depth - 1, after: true }
      : null;
    return null;
  }

  private edgesFor(q: number, letter: number): readonly Edge[] {
    const key = q * 2 ** 31 + letter;
    let edges = this.edgeCache.get(key);
    if (edges === undefined) {
      edges = this.aut.states[q].edges.filter((e) => matches(e, letter));
      this.edgeCache.set(key, edges);
    }
    return edges;
  }

  /** The accepted lasso: the stack up to the top component's root, then a cycle inside it. */
  private async lassoOf(): Promise<Lasso> {
    const rootFirst = this.roots.topRoot;
    const frames = this.frames;
    const rootDepth = frames.findIndex((f) => f.num === rootFirst);
    const prefix: PrefixState[] = frames.slice(0, rootDepth + 1).map((f, i) => ({
      obs: f.obs,
      q: f.q,
      pathLength: f.pathLength,
      inStep: f.inStep,
      inPoint: f.inStep === null ? null : frames[i - 1].obs.point,
    }));
    return await buildLasso({
      target: this.target,
      automaton: this.aut,
      observer: this.observer,
      finiteDeadlocks: this.finiteDeadlocks,
      weak: this.weak,
      prefix,
      path: this.path.slice(0, frames[rootDepth].pathLength),
      member: (lo, hi, q) => this.table.lookup(lo, hi, q) >= rootFirst,
    });
  }
}

/** The first enabled step at or after (transition `ti`, `choice`), in enabledSteps' order. */
function stepFrom(point: Point, ti: number, choice: number): { ti: number; step: Step } | null {
  const ts = point.transitions;
  for (let i = ti; i < ts.length; i++, choice = 0) {
    const t = ts[i];
    if (t.enabled && choice < t.choices) return { ti: i, step: { actor: t.actor, choice } };
  }
  return null;
}

/** The transition each step of `path` executed, from the point it was taken at. */
function takenAlong(points: readonly Point[], path: readonly Step[]): Transition[] {
  return path.map((step, i) => {
    const t = transitionOf(points[i], step.actor);
    if (t === undefined) {
      throw new Error(`internal: step ${i + 1} moves an actor absent from its point`);
    }
    return t;
  });
}
