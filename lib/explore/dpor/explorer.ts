/**
 * The reducing explorations, over the same Target as the exhaustive DFS: sleep sets alone
 * (`--reduction=sleep`), Source-DPOR with sleep sets (`sdpor`) and Optimal DPOR with wakeup
 * trees (`odpor`), after Abdulla, Aronis, Jonsson and Sagonas (JACM 2017). All three walk the
 * execution tree depth first like lib/explore/dfs.ts; they differ in which branches a state
 * gets. sleep: every enabled step not asleep. sdpor: one step, plus one initial of each race
 * reversal found later (its backtrack set). odpor: the branches of its wakeup tree, or one
 * step when it has none; each race reversal found at the end of an execution is inserted in
 * the wakeup tree of the state before the race. Races come from lib/explore/dpor/races.ts.
 *
 * Local nondeterminism (isomc_random, isomc_waitany): each value is a distinct event of the
 * actor (event.ts). Every event that offered several values registers each other value as a
 * race with itself, reversed by notdep(event) then the event with that value (after Nidhugg's
 * treatment of nondeterministic events); sleep sets and wakeup trees then compare events by
 * actor and value. docs/independence.md explains the choices and what they cost.
 */

import {
  enabledSteps,
  type Point,
  type Step,
  type Transition,
  transitionOf,
} from "../../model/transition.ts";
import {
  type ExplorationResult,
  type ExploreOptions,
  foundDeadlock,
  Heartbeat,
  newStats,
  resultOf,
  traceOf,
  type Verdict,
} from "../result.ts";
import type { Target } from "../target.ts";
import {
  altOf,
  choiceFor,
  directoryOf,
  type Event,
  makeEvent,
  sameEvent,
  stepFor,
} from "./event.ts";
import { analyze } from "./happens_before.ts";
import { alternatives, initials, races, reversal, reversalIndices } from "./races.ts";
import { afterStep, isAsleep, wakesAll } from "./sleep.ts";
import { insert, WakeupNode } from "./wakeup_tree.ts";

export type DporReduction = "sleep" | "sdpor" | "odpor";

/** One state of the current execution and what remains to explore from it. */
interface Node {
  readonly point: Point;
  /** Asleep here: inherited sleepers still independent, and the branches already explored. */
  readonly sleep: Event[];
  /** Pending branches (odpor: the wakeup tree; sleep and sdpor: single steps). */
  readonly tree: WakeupNode;
  /** Branches explored from this state (sdpor's backtrack set, with the pending ones). */
  readonly done: Event[];
  current: WakeupNode | null;
  started: boolean;
}

function newActors(before: Point, after: Point): number[] {
  const known = new Set(before.transitions.map((t) => t.actor));
  return after.transitions.map((t) => t.actor).filter((a) => !known.has(a));
}

/** Restart the search: an actor was found to create actors. */
const restart = Symbol("restart");

/**
 * Actor ids follow creation order, so steps that create actors must be dependent. Whether a step
 * creates actors is only known once it ran, and may change when a race is reversed; so the
 * relation says it of actors instead: every step of an actor seen creating actors writes the
 * spawn cell. The set only grows; when it does, the search starts over, so that one relation
 * holds for the whole search (a relation that changed on the way would break the wakeup trees).
 */
export async function exploreDpor(
  target: Target,
  reduction: DporReduction,
  options: ExploreOptions = {},
): Promise<ExplorationResult> {
  const startedMs = performance.now();
  const spawners = new Set<number>();
  while (true) {
    const r = await search(target, reduction, options, startedMs, spawners);
    if (r !== restart) return r;
  }
}

async function search(
  target: Target,
  reduction: DporReduction,
  options: ExploreOptions,
  startedMs: number,
  spawners: Set<number>,
): Promise<ExplorationResult | typeof restart> {
  const maxDepth = options.maxDepth ?? Infinity;
  const maxExecutions = options.maxExecutions ?? Infinity;
  const heartbeat = new Heartbeat(options);
  const stats = newStats();

  // nodes[i] is the state at depth i; path[i] the step taken from it, events[i] its event.
  const nodes: Node[] = [];
  const path: Step[] = [];
  const events: Event[] = [];

  // Where the comms of a waitany at the end of the current path were posted (event.ts).
  const directory = directoryOf(events);
  let nextSleep: Event[] = [];
  let nextTree = new WakeupNode(null);
  let depthCut = false;
  let atTop = false;

  const finish = (verdict: Verdict, rest: Partial<ExplorationResult> = {}): ExplorationResult =>
    resultOf(verdict, stats, startedMs, target.counters, rest);
  const points = (): Point[] => nodes.map((n) => n.point);

  // Events are made at the end of the current path (`events` is its prefix), where the
  // directory names the right posts.
  const eventOf = (t: Transition, choice: number, created: readonly number[] = []): Event =>
    makeEvent(t, choice, directory, created, spawners.has(t.actor));

  // Every execution of a multi-valued event registers its other values, not only those that
  // took the first value as Nidhugg does: the random-program tests found traces lost that way.
  // An other value has the event's footprint (it does not depend on the value), taken from the
  // event: the analysis runs on the whole execution, past the event's point.
  const otherValues = (ev: Event): Event[] => {
    const t = ev.transition;
    if (t.choices <= 1) return [];
    const taken = choiceFor(t, ev.alt);
    const out: Event[] = [];
    for (let c = 0; c < t.choices; c++) {
      if (c !== taken) out.push({ ...ev, alt: altOf(t, c), created: [] });
    }
    return out;
  };

  const inBacktrack = (node: Node, ev: Event): boolean =>
    node.done.some((d) => sameEvent(d, ev)) ||
    node.tree.children.some((c) => sameEvent(c.ev!, ev));

  /** Race analysis of the current execution (complete, cut, or blocked by sleep sets). */
  const analyzeExecution = (): void => {
    if (reduction === "sleep") return;
    const a = analyze(events);
    for (const race of races(a)) {
      const node = nodes[race.first];
      if (reduction === "odpor") {
        const v = reversal(a, race);
        if (wakesAll(node.sleep, v) && insert(node.tree, v)) stats.wakeupInsertions++;
      } else {
        const starts = initials(a, reversalIndices(a, race)).map((k) => a.events[k]);
        if (starts.some((ev) => inBacktrack(node, ev))) continue;
        node.tree.append([starts[0]]);
        stats.wakeupInsertions++;
      }
    }
    for (const alt of alternatives(a, otherValues)) {
      const node = nodes[alt.at];
      if (reduction === "odpor") {
        // No sleep-set test: a sleeper may be woken only by what the actor does after the
        // new value, which this execution cannot tell (docs/independence.md).
        if (insert(node.tree, alt.sequence)) stats.wakeupInsertions++;
      } else {
        const ev = alt.sequence[alt.sequence.length - 1];
        if (inBacktrack(node, ev)) continue;
        node.tree.append([ev]);
        stats.wakeupInsertions++;
      }
    }
  };

  /** The branch to explore next from `node`, or null when it has none left. */
  const nextBranch = (node: Node): WakeupNode | null => {
    while (node.tree.children.length > 0) {
      const first = node.tree.children[0];
      if (!isAsleep(node.sleep, first.ev!)) {
        node.started = true;
        return first;
      }
      node.tree.children.shift();
    }
    if (node.started) return null;
    node.started = true;
    const candidates: Event[] = [];
    for (const step of enabledSteps(node.point)) {
      const ev = eventOf(transitionOf(node.point, step.actor)!, step.choice);
      if (!isAsleep(node.sleep, ev)) candidates.push(ev);
    }
    if (candidates.length === 0) {
      stats.sleepBlocked++;
      analyzeExecution();
      return null;
    }
    for (const ev of reduction === "sleep" ? candidates : candidates.slice(0, 1)) {
      node.tree.append([ev]);
    }
    return node.tree.children[0];
  };

  const finishBranch = (node: Node): void => {
    const branch = node.current!;
    node.sleep.push(branch.ev!);
    node.done.push(branch.ev!);
    const at = node.tree.children.indexOf(branch);
    if (at >= 0) node.tree.children.splice(at, 1);
    node.current = null;
  };

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
      analyzeExecution();
    } else {
      const point = outcome.point;
      if (enabledSteps(point).length === 0) {
        stats.executions++;
        return finish("violation", {
          violation: foundDeadlock([...points(), point], path, target.names),
        });
      }
      if (path.length >= maxDepth) {
        stats.executions++;
        depthCut = true;
        analyzeExecution();
      } else {
        nodes.push({
          point,
          sleep: nextSleep,
          tree: nextTree,
          done: [],
          current: null,
          started: false,
        });
        atTop = true;
      }
    }

    if (stats.executions >= maxExecutions) {
      return finish("incomplete", { incomplete: "max-executions" });
    }
    if (heartbeat.due()) await heartbeat.beat(stats, startedMs);
    if (heartbeat.interrupted) return finish("incomplete", { incomplete: "interrupted" });

    let branch: WakeupNode | null = null;
    while (nodes.length > 0) {
      const top = nodes[nodes.length - 1];
      if (top.current !== null) finishBranch(top);
      path.length = nodes.length - 1;
      events.length = nodes.length - 1;
      branch = nextBranch(top);
      if (branch !== null) break;
      nodes.pop();
      atTop = false;
    }
    if (branch === null) break;
    const depth = nodes.length - 1;
    const top = nodes[depth];
    if (!atTop) await target.restore(path);
    const step = stepFor(top.point, branch.ev!);
    top.current = branch;
    path.push(step);
    outcome = await target.execute(step);
    atTop = false;
    stats.transitions++;
    stats.states++;
    if (path.length > stats.maxDepth) stats.maxDepth = path.length;
    const created = outcome.kind === "point" ? newActors(top.point, outcome.point) : [];
    if (created.length > 0 && !spawners.has(step.actor)) {
      spawners.add(step.actor);
      return restart;
    }
    const ev = eventOf(transitionOf(top.point, step.actor)!, step.choice, created);
    branch.ev = ev;
    events.push(ev);
    nextSleep = afterStep(top.sleep, ev);
    nextTree = reduction === "odpor" ? branch : new WakeupNode(null);
  }
  return depthCut ? finish("incomplete", { incomplete: "max-depth" }) : finish("ok");
}
