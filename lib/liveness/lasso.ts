/**
 * Counterexamples of the liveness search: a lasso, a prefix of steps from the initial state
 * to a state of an accepting component, then a cycle through that component back to that
 * state which takes every acceptance set (and, under weak fairness, lets move every actor that
 * is enabled all along it). The search only knows the component's states by their keys; the
 * cycle is found by breadth-first searches inside it, going back to each state by
 * `restore(path)` — the program can only return to a state by its steps from the start.
 */

import type { TraceStep } from "../explore/result.ts";
import type { Target } from "../explore/target.ts";
import { allAcc, type Automaton, matches } from "../ltl/automaton.ts";
import { enabledSteps, type Point, type Step, transitionOf } from "../model/transition.ts";
import type { Transition } from "../model/transition.ts";
import { blockedEnd, type Observed, type Observer } from "./observe.ts";

/** A product state as the counterexample shows it. */
export interface LassoState {
  /** The values of the automaton's propositions (`Lasso.propositions`). */
  readonly propositions: readonly boolean[];
  /** The automaton's state. */
  readonly automaton: number;
}

export interface LassoStep {
  readonly step: Step;
  readonly transition: Transition;
  /** The state this step leads to. */
  readonly after: LassoState;
}

export interface Lasso {
  readonly propositions: readonly string[];
  readonly initial: LassoState;
  readonly prefix: readonly LassoStep[];
  /** The steps that repeat forever; empty when the run ends (or deadlocks) and stutters. */
  readonly cycle: readonly LassoStep[];
  /** The prefix's last state repeats forever (a finite run, extended as SPIN does). */
  readonly stutter: boolean;
}

/** The lasso as one trace (prefix then cycle) and the index in it of the cycle's first step. */
export function lassoTrace(l: Lasso): { trace: TraceStep[]; cycleStart: number } {
  const trace = [...l.prefix, ...l.cycle].map((s) => ({ step: s.step, transition: s.transition }));
  return { trace, cycleStart: l.prefix.length };
}

/** A state of the search's depth-first path, from the initial one to the component's root. */
export interface PrefixState {
  readonly obs: Observed;
  readonly q: number;
  readonly pathLength: number;
  readonly inStep: Step | null;
  readonly inPoint: Point | null;
}

export interface LassoContext {
  readonly target: Target;
  readonly automaton: Automaton;
  readonly observer: Observer;
  readonly finiteDeadlocks: boolean;
  readonly weak: boolean;
  /** The depth-first path, its last state the accepting component's root. */
  readonly prefix: readonly PrefixState[];
  /** The program steps to the root. */
  readonly path: readonly Step[];
  /** Whether a product state belongs to the accepting component. */
  readonly member: (lo: number, hi: number, q: number) => boolean;
}

interface Node {
  readonly obs: Observed;
  readonly q: number;
  readonly path: readonly Step[];
  readonly parent: Node | null;
  readonly via: Via | null;
}

interface Via {
  readonly step: Step | null;
  readonly transition: Transition | null;
  readonly acc: number;
  readonly mover: bigint;
}

const keyOf = (obs: Observed, q: number): string => `${obs.lo}:${obs.hi}:${q}`;

export async function buildLasso(ctx: LassoContext): Promise<Lasso> {
  const aut = ctx.automaton;
  const stateOf = (obs: Observed, q: number): LassoState => ({
    propositions: aut.props.map((_, i) => (obs.letter & (1 << i)) !== 0),
    automaton: q,
  });
  const prefix: LassoStep[] = [];
  for (const p of ctx.prefix) {
    if (p.inStep === null || p.inPoint === null) continue;
    prefix.push({
      step: p.inStep,
      transition: transitionOf(p.inPoint, p.inStep.actor)!,
      after: stateOf(p.obs, p.q),
    });
  }
  const rootState = ctx.prefix[ctx.prefix.length - 1];
  const root: Node = {
    obs: rootState.obs,
    q: rootState.q,
    path: ctx.path,
    parent: null,
    via: null,
  };
  const rootKey = keyOf(root.obs, root.q);

  const successors = async (x: Node): Promise<{ via: Via; to: Node }[]> => {
    const out: { via: Via; to: Node }[] = [];
    const edges = aut.states[x.q].edges.filter((e) => matches(e, x.obs.letter));
    const add = (obs: Observed, step: Step | null, t: Transition | null, path: Step[]) => {
      for (const e of edges) {
        if (!ctx.member(obs.lo, obs.hi, e.to)) continue;
        const via = {
          step,
          transition: t,
          acc: e.acc,
          mover: step === null ? 0n : 1n << BigInt(step.actor),
        };
        out.push({ via, to: { obs, q: e.to, path, parent: x, via } });
      }
    };
    if (x.obs.point === null) {
      add(x.obs, null, null, [...x.path]);
      return out;
    }
    for (const step of enabledSteps(x.obs.point)) {
      await ctx.target.restore(x.path);
      const outcome = await ctx.target.execute(step);
      // A step the search had not tried yet may fail: that state is outside the component.
      if (outcome.kind === "violation") continue;
      const end = outcome.kind === "point" ? blockedEnd(outcome.point) : null;
      const finite = end === "deadlock" && ctx.finiteDeadlocks;
      const obs = ctx.observer.observe(outcome, finite, end === "livelock");
      add(obs, step, transitionOf(x.obs.point, step.actor)!, [...x.path, step]);
    }
    return out;
  };

  /** The shortest path from `from` to an edge `goal` accepts, inside the component. */
  const bfs = async (from: Node, goal: (via: Via, to: Node) => boolean): Promise<Node[]> => {
    const start: Node = { ...from, parent: null, via: null };
    const seen = new Set<string>([keyOf(start.obs, start.q)]);
    const queue: Node[] = [start];
    for (let i = 0; i < queue.length; i++) {
      for (const { via, to } of await successors(queue[i])) {
        if (goal(via, to)) {
          const nodes: Node[] = [];
          for (let n: Node | null = to; n !== null && n.parent !== null; n = n.parent) {
            nodes.push(n);
          }
          return nodes.reverse();
        }
        const k = keyOf(to.obs, to.q);
        if (seen.has(k)) continue;
        seen.add(k);
        queue.push(to);
      }
    }
    throw new Error("internal: the accepting component has no such path");
  };

  // Every acceptance set, then back to the root; then, under weak fairness, a detour for each
  // actor enabled all along the cycle that never moves in it.
  const cycle: Node[] = [];
  let at = root;
  let need = allAcc(aut);
  while (need !== 0) {
    const want = need;
    const part = await bfs(at, (via) => (via.acc & want) !== 0);
    for (const n of part) need &= ~n.via!.acc;
    cycle.push(...part);
    at = part[part.length - 1];
  }
  const home = (_via: Via, to: Node): boolean => keyOf(to.obs, to.q) === rootKey;
  if (cycle.length === 0 || keyOf(at.obs, at.q) !== rootKey) cycle.push(...await bfs(at, home));
  if (ctx.weak) {
    for (let round = 0; round < 64; round++) {
      let enabled = root.obs.enabled;
      let movers = 0n;
      for (const n of cycle) {
        enabled &= n.obs.enabled;
        movers |= n.via!.mover;
      }
      const starved = enabled & ~movers;
      if (starved === 0n) break;
      const actor = starved & -starved;
      const detour = await bfs(
        root,
        (via, to) => (via.mover & actor) !== 0n || (to.obs.enabled & actor) === 0n,
      );
      cycle.push(...detour);
      const end = detour[detour.length - 1];
      if (keyOf(end.obs, end.q) !== rootKey) cycle.push(...await bfs(end, home));
    }
  }
  const steps: LassoStep[] = [];
  for (const n of cycle) {
    if (n.via!.step === null) continue;
    steps.push({ step: n.via!.step, transition: n.via!.transition!, after: stateOf(n.obs, n.q) });
  }
  const first = ctx.prefix[0];
  return {
    propositions: aut.props,
    initial: stateOf(first.obs, first.q),
    prefix,
    cycle: steps,
    stutter: steps.length === 0,
  };
}
