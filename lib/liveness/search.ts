/**
 * The liveness search: is there an execution of the program that the automaton (of the
 * negated formula, or a never claim) accepts? It explores the product of program states and
 * automaton states on the fly, depth first, with Couvreur's SCC-based emptiness check
 * (FM'99, as in Spot's couvreur99): every product state is visited once, components are
 * merged as back edges close them, and the search stops as soon as an open component holds
 * every acceptance set — and, under weak fairness, lets every actor that is enabled in all of
 * its states move. docs/liveness.md says why this and not SPIN's nested DFS.
 *
 * Runs that end or deadlock (with `deadlockIsFinite`) stutter: their last state repeats
 * forever. Safety violations met on the way are reported as the safety search would.
 */

import {
  foundDeadlock,
  type FoundViolation,
  Heartbeat,
  type IncompleteReason,
  newStats,
  type Stats,
  traceOf,
  type Verdict,
} from "../explore/result.ts";
import { Interrupted, type Target } from "../explore/target.ts";
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
import { HashSet64, ProductTable } from "./table.ts";

export type Fairness = "none" | "weak";

export interface LivenessOptions {
  /** The automaton of the behaviours to find: the negated formula's, or a never claim. */
  readonly automaton: Automaton;
  /** The formula or the claim's file, for messages (unknown propositions). */
  readonly source: string;
  readonly fairness?: Fairness;
  /** A deadlock is one more finite run that stutters, not a violation (--no-deadlock). */
  readonly deadlockIsFinite?: boolean;
  /** Paths longer than this many steps are cut (the verdict is then incomplete). */
  readonly maxDepth?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (stats: Readonly<Stats>) => void;
}

export interface LivenessStats extends Stats {
  /** Distinct program states met (terminal ones by their propositions). */
  programStates: number;
  /** Bytes of the search's tables when it ended (product states, program states). */
  tableBytes: number;
}

export interface LivenessResult {
  readonly verdict: Verdict;
  /** A safety violation (assertion, crash, deadlock...) met during the search. */
  readonly violation: FoundViolation | null;
  /** The accepted execution: a prefix, then a cycle repeated forever. */
  readonly lasso: Lasso | null;
  readonly incomplete: IncompleteReason | null;
  readonly stats: LivenessStats;
}

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

export async function searchLiveness(
  target: Target,
  options: LivenessOptions,
): Promise<LivenessResult> {
  const stats: LivenessStats = { ...newStats(), programStates: 0, tableBytes: 0 };
  const startedMs = performance.now();
  try {
    return await search(target, options, stats, startedMs);
  } catch (e) {
    // Ctrl-C while a transition ran: the program was killed, the search ends there.
    if (!(e instanceof Interrupted)) throw e;
    stats.seconds = (performance.now() - startedMs) / 1000;
    return {
      verdict: "incomplete",
      violation: null,
      lasso: null,
      incomplete: "interrupted",
      stats,
    };
  }
}

async function search(
  target: Target,
  options: LivenessOptions,
  stats: LivenessStats,
  startedMs: number,
): Promise<LivenessResult> {
  const aut = options.automaton;
  const all = allAcc(aut);
  const weak = (options.fairness ?? "none") === "weak";
  const finiteDeadlocks = options.deadlockIsFinite ?? false;
  const maxDepth = options.maxDepth ?? Infinity;
  const heartbeat = new Heartbeat(options);
  const observer = new Observer(target, aut, options.source);
  const table = new ProductTable();
  const programStates = new HashSet64();
  const frames: Frame[] = [];
  const path: Step[] = [];
  const pathPoints: Point[] = [];
  // Couvreur's root stack, one array per field: the open components' first numbers, their
  // marks, movers and always-enabled actors, and the marks and mover of the edge into each.
  const rootNum: number[] = [];
  const rootAcc: number[] = [];
  const rootMovers: bigint[] = [];
  const rootEnabled: bigint[] = [];
  const arcAcc: number[] = [];
  const arcMover: bigint[] = [];
  let counter = 0;
  let position: Position | null = null;
  // How many first steps of `path` are known to be the target's own (Target.restore's
  // `known`): the target then does not compare the whole path at every restore, whose cost
  // grew with the depth (a quarter of the time at 27,000 states on counters.c). Never more
  // than path.length; lowered when the path is cut, raised when the target steps along it.
  let synced = 0;
  let depthCut = false;

  const finish = (
    verdict: Verdict,
    rest: { violation?: FoundViolation; lasso?: Lasso; incomplete?: IncompleteReason } = {},
  ): LivenessResult => {
    stats.seconds = (performance.now() - startedMs) / 1000;
    stats.programStates = programStates.count;
    stats.tableBytes = table.bytes + programStates.bytes;
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
  };

  const moveTo = async (depth: number, after: boolean): Promise<void> => {
    if (position !== null && position.depth === depth && position.after === after) return;
    const f = frames[depth];
    // The path is the top frame's in the common case: no copy of it (it can be long).
    const steps = f.pathLength === path.length ? path : path.slice(0, f.pathLength);
    if (after) steps.push(f.step!);
    await target.restore(steps, Math.min(synced, f.pathLength));
    if (after && steps === path) path.pop();
    synced = f.pathLength;
    position = { depth, after };
  };

  const push = (obs: Observed, q: number, inStep: Step | null, acc: number, mover: bigint) => {
    const num = ++counter;
    table.insert(obs.lo, obs.hi, q, num);
    programStates.add(obs.lo, obs.hi);
    stats.states++;
    const below = frames[frames.length - 1] as Frame | undefined;
    if (inStep !== null && below !== undefined) {
      path.push(inStep);
      pathPoints.push(below.obs.point!);
    }
    const firstStep = obs.point === null ? null : stepFrom(obs.point, 0, 0);
    frames.push({
      obs,
      q,
      num,
      edges: edgesFor(q, obs.letter),
      pathLength: path.length,
      inStep,
      step: firstStep?.step ?? null,
      ti: firstStep?.ti ?? 0,
      edgeIndex: 0,
      succ: null,
    });
    if (path.length > stats.maxDepth) stats.maxDepth = path.length;
    rootNum.push(num);
    rootAcc.push(0);
    rootMovers.push(0n);
    rootEnabled.push(obs.enabled);
    arcAcc.push(acc);
    arcMover.push(mover);
  };

  // The automaton transitions a letter takes from a state, shared by the frames that need them.
  const edgeCache = new Map<number, readonly Edge[]>();
  const edgesFor = (q: number, letter: number): readonly Edge[] => {
    const key = q * 2 ** 31 + letter;
    let edges = edgeCache.get(key);
    if (edges === undefined) {
      edges = aut.states[q].edges.filter((e) => matches(e, letter));
      edgeCache.set(key, edges);
    }
    return edges;
  };

  const accepting = (): boolean => {
    const top = rootNum.length - 1;
    if ((rootAcc[top] & all) !== all) return false;
    return !weak || (rootEnabled[top] & ~rootMovers[top]) === 0n;
  };

  const lassoOf = async (): Promise<Lasso> => {
    const rootFirst = rootNum[rootNum.length - 1];
    const rootDepth = frames.findIndex((f) => f.num === rootFirst);
    const prefix: PrefixState[] = frames.slice(0, rootDepth + 1).map((f, i) => ({
      obs: f.obs,
      q: f.q,
      pathLength: f.pathLength,
      inStep: f.inStep,
      inPoint: f.inStep === null ? null : frames[i - 1].obs.point,
    }));
    return await buildLasso({
      target,
      automaton: aut,
      observer,
      finiteDeadlocks,
      weak,
      prefix,
      path: path.slice(0, frames[rootDepth].pathLength),
      member: (lo, hi, q) => table.lookup(lo, hi, q) >= rootFirst,
    });
  };

  // ---- The initial state ----
  const first = await target.start();
  if (first.kind === "violation") {
    return finish("violation", { violation: { ...first.violation, trace: [] } });
  }
  const startDeadlock = first.kind === "point" && !anyEnabled(first.point);
  if (startDeadlock && !finiteDeadlocks && first.kind === "point") {
    return finish("violation", { violation: foundDeadlock(first.point, [], [], target.names) });
  }
  const init = observer.observe(first, startDeadlock);
  position = { depth: 0, after: false };
  push(init, aut.initial, null, 0, 0n);

  while (frames.length > 0) {
    if (heartbeat.due()) {
      // Kept current for the progress line, and for a search an interrupt ends by throwing.
      stats.programStates = programStates.count;
      stats.tableBytes = table.bytes + programStates.bytes;
      await heartbeat.beat(stats, startedMs);
    }
    if (heartbeat.stop !== null) return finish("incomplete", { incomplete: heartbeat.stop });
    const depth = frames.length - 1;
    const top = frames[depth];

    // The next product edge out of `top`: (successor program state, automaton edge, step).
    let succ: Observed;
    let step: Step | null;
    let edge: Edge;
    if (top.obs.point === null) {
      if (top.edgeIndex >= top.edges.length) {
        pop();
        continue;
      }
      succ = top.obs;
      step = null;
      edge = top.edges[top.edgeIndex++];
    } else {
      if (top.edges.length === 0 || top.step === null) {
        pop();
        continue;
      }
      if (top.succ === null) {
        const s = top.step;
        await moveTo(depth, false);
        const outcome = await target.execute(s);
        stats.transitions++;
        position = { depth, after: true };
        // Copies of the path only for a counterexample: they are as long as the search is deep.
        const taken = (): Transition[] => takenAlong([...pathPoints, top.obs.point!], [...path, s]);
        if (outcome.kind === "violation") {
          return finish("violation", {
            violation: { ...outcome.violation, trace: traceOf(taken(), [...path, s]) },
          });
        }
        const end = outcome.kind === "point" ? blockedEnd(outcome.point) : null;
        const deadlock = end === "deadlock";
        if (deadlock && !finiteDeadlocks && outcome.kind === "point") {
          return finish("violation", {
            violation: foundDeadlock(outcome.point, taken(), [...path, s], target.names),
          });
        }
        top.succ = observer.observe(outcome, deadlock, end === "livelock");
        top.edgeIndex = 0;
      }
      if (top.edgeIndex >= top.edges.length) {
        top.succ = null;
        const next = stepFrom(top.obs.point, top.ti, top.step.choice + 1);
        top.step = next?.step ?? null;
        top.ti = next?.ti ?? top.ti;
        continue;
      }
      succ = top.succ;
      step = top.step;
      edge = top.edges[top.edgeIndex++];
    }

    const mover = step === null ? 0n : 1n << BigInt(step.actor);
    const known = table.lookup(succ.lo, succ.hi, edge.to);
    if (known < 0) {
      if (step !== null && top.pathLength + 1 > maxDepth) {
        depthCut = true;
        continue;
      }
      if (step === null) {
        push(succ, edge.to, null, edge.acc, mover);
        continue;
      }
      if (succ.point !== null) await moveTo(depth, true);
      const here = position as Position | null;
      const there: boolean = here !== null && here.depth === depth && here.after;
      push(succ, edge.to, step, edge.acc, mover);
      // The target executed this very step from the frame's state: its path is the search's.
      if (there && synced === path.length - 1) synced = path.length;
      position = there ? { depth: depth + 1, after: false } : null;
      continue;
    }
    stats.pruned++;
    if (known === 0) continue; // its component is finished: no cycle through it
    // A back edge into an open component: merge every component above it.
    let acc = edge.acc;
    let movers = mover;
    let enabled = -1n;
    while (rootNum[rootNum.length - 1] > known) {
      acc |= rootAcc.pop()! | arcAcc.pop()!;
      movers |= rootMovers.pop()! | arcMover.pop()!;
      enabled &= rootEnabled.pop()!;
      rootNum.pop();
    }
    const r = rootNum.length - 1;
    rootAcc[r] |= acc;
    rootMovers[r] |= movers;
    rootEnabled[r] &= enabled;
    if (accepting()) return finish("violation", { lasso: await lassoOf() });
  }
  return depthCut ? finish("incomplete", { incomplete: "max-depth" }) : finish("ok");

  function pop(): void {
    const f = frames.pop()!;
    if (rootNum[rootNum.length - 1] === f.num) {
      table.finishFrom(f.num);
      rootNum.pop();
      rootAcc.pop();
      rootMovers.pop();
      rootEnabled.pop();
      arcAcc.pop();
      arcMover.pop();
    }
    const below = frames[frames.length - 1];
    if (below === undefined) return;
    path.length = below.pathLength;
    pathPoints.length = below.pathLength;
    synced = Math.min(synced, path.length);
    const depth = frames.length; // the popped frame's
    if (position === null || position.depth < depth) return;
    // The target still at the popped state is at the state the frame below's step leads to.
    position = position.depth === depth && !position.after && f.inStep !== null
      ? { depth: depth - 1, after: true }
      : null;
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
