/**
 * What the sdpor/odpor coordinator (dpor_coordinator.ts) hands to free workers before the
 * frontier asks for it: the jobs the frontier will ask for, in its order, as things stand.
 * The one it waits for, then those of the branches after it at each node of its path, deepest
 * first (a node's later branches take the sleep set it will have then, its current branch
 * asleep), and below a branch's probe already answered, its own branches. Below a node the
 * frontier has not decided the cut for, each branch's probe is guessed (a node of the
 * coordinator's), and its subtree job too where the cut's rule, read ahead with the branches
 * the frontier will know there, says the frontier will keep no node below. A prediction whose
 * inputs change before the frontier gets there (an earlier job inserted into its wakeup tree)
 * is simply not used: the cache (dpor_units.ts) keeps answers by their inputs.
 */

import { type Event, stepFor } from "../explore/dpor/event.ts";
import type { SleepSet } from "../explore/dpor/sleep.ts";
import { WakeupNode } from "../explore/dpor/wakeup_tree.ts";
import type { Point, Step } from "../model/transition.ts";
import type { CutRule } from "./dpor_cut.ts";
import type { Unit, UnitCache } from "./dpor_units.ts";
import { type ChildIds, levelBelow, type Top, type TopShape } from "./dpor_walk.ts";

/** How many jobs ahead of the frontier the prediction looks at most. */
export const lookahead = 64;

export interface Predictor {
  readonly cache: UnitCache;
  readonly cut: CutRule;
  readonly ids: ChildIds;
}

/** The jobs the frontier on `path` will ask for, in its order (the frontier has advanced). */
export function predict(p: Predictor, path: readonly Top[]): Unit[] {
  const out: Unit[] = [];
  for (let i = path.length - 1; i >= 0 && out.length < lookahead; i--) {
    const n = path[i];
    if (n.phase === "probe") {
      out.push(p.cache.unit(true, n.id, n.prefix, n.arrival, n.node.tree));
      continue;
    }
    if (n.phase === "leaf") {
      out.push(p.cache.unit(false, n.id, n.prefix, n.node.sleep, n.node.tree));
      continue;
    }
    if (n.waiting !== null) out.push(n.waiting);
    const sleep = n.node.sleep.copy();
    const current = n.node.current;
    if (current !== null) sleep.add(current.ev!);
    const knownAbove = knownBranches(path.slice(0, i));
    future(p, n, n.node.tree, current === null ? 0 : 1, n.node.started, sleep, out, knownAbove);
  }
  return out;
}

/**
 * The branches known and not started on `path` (each node's later branches not asleep, the
 * job it waits for): what the cut weighs (dpor_cut.ts). A function of the path alone, which
 * the frontier walks in the sequential order: the same in every run.
 */
export function knownBranches(path: readonly Top[]): number {
  let known = 0;
  for (const n of path) {
    if (n.phase !== "branches") continue;
    if (n.waiting !== null) known++;
    const tree = n.node.tree;
    const from = n.node.current === null ? 0 : 1;
    let counted = 0;
    for (let k = from; k < tree.count; k++) {
      if (!n.node.sleep.has(tree.child(k).ev!)) counted++;
    }
    if (counted === 0 && !n.node.started && n.first !== null) counted = 1;
    known += counted;
  }
  return known;
}

/** The jobs of `n`'s branches from the `from`-th of `tree` on, `sleep` at the first. */
function future(
  p: Predictor,
  n: TopShape & { point: Point | null; first: Event | null },
  tree: WakeupNode,
  from: number,
  started: boolean,
  sleep: SleepSet,
  out: Unit[],
  knownAbove: number,
  guessSubtrees = true,
): void {
  const branches: WakeupNode[] = [];
  for (let k = from; k < tree.count; k++) branches.push(tree.child(k));
  if (branches.length === 0 && !started && n.first !== null) {
    // An empty tree: the first step not asleep, as the node will take it.
    branches.push(new WakeupNode(n.first));
  }
  const level = levelBelow(n);
  // The frontier has not decided for this node's children yet: they are guessed to be the
  // coordinator's nodes, so that a thin top's probes run ahead on a free worker (indexer(15)
  // with 2 workers: 20.3 s against 38.6 and 48.9 s waiting for each probe in turn), and to be
  // subtree roots too (below). The cut and the jobs used stay the sequential order's; a guess
  // proved wrong is an answer unused.
  const decided = p.cut.above(n, level);
  const above = decided ?? true;
  for (const [j, b] of branches.entries()) {
    if (out.length >= lookahead) return;
    if (sleep.has(b.ev!)) continue;
    let step: Step;
    try {
      step = stepFor(n.point!, b.ev!);
    } catch {
      return; // not a step there: the prediction stops (the frontier will tell)
    }
    const prefix = [...n.prefix, step];
    const id = [...n.id, p.ids.of(n.id, b.ev!)];
    const below = sleep.after(b.ev!);
    if (above) {
      const probe = p.cache.unit(true, id, prefix, below, b);
      out.push(probe);
      if (decided === null && guessSubtrees && out.length < lookahead) {
        // And its subtree job, where the cut's rule read ahead says the frontier will keep no
        // node below n (guessSubtrees, from n's parent's call): on a thin top the
        // large subtree jobs hang off the nodes the frontier reaches last (indexer(15): the
        // job of 1,024 executions at depth 10 waited for the 512 below it to end, the other
        // worker idle). Right after the probe: the frontier's own next needs come first.
        const guess = p.cache.unit(false, id, prefix, below, b);
        if (guess.state === "pending") guess.guessed = true;
        out.push(guess);
      }
      const o = probe.outcome;
      if (probe.state === "done" && o !== null && o.kind === "node") {
        const child = {
          depth: n.depth + 1,
          level,
          id,
          prefix,
          point: o.point,
          first: o.first,
          deeper: null,
        };
        // What the frontier will count when it takes this probe (knownBranches over its path
        // then: the nodes above as now, each with its branches after the one taken towards
        // here, and the child's own), and so whether it will keep the child's children: a
        // subtree job is guessed below it only if not (dpor_cut.ts's rule, read ahead).
        let later = 0;
        for (let k = j + 1; k < branches.length; k++) {
          if (!sleep.has(branches[k].ev!)) later++;
        }
        let own = 0;
        for (let k = 0; k < b.count; k++) if (!below.has(b.child(k).ev!)) own++;
        if (own === 0 && o.first !== null) own = 1;
        const known = knownAbove + later;
        future(p, child, b, 0, false, below, out, known, !p.cut.wouldGoDeeper(known + own, b));
      }
    } else {
      out.push(p.cache.unit(false, id, prefix, below, b));
    }
    sleep = sleep.copy();
    sleep.add(b.ev!);
  }
}
