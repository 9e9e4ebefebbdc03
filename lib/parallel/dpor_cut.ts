/**
 * Where the cut of a parallel sdpor/odpor search is (dpor_coordinator.ts): which nodes the
 * coordinator keeps and which are the roots of subtree jobs. Exactness does not depend on it
 * (docs/parallel.md); the work does. The decision is a function of the sequential search's
 * state alone, never of timing: the frontier, which walks the nodes in the sequential order,
 * decides for a node's children when it takes the node's probe, from what it has seen so far
 * in that order (the subtree jobs used, the branches known on its path, the wakeup trees of
 * the node's branches). So the same program and the same number of workers give the same cut,
 * the same jobs, on any machine's load.
 */

import type { WakeupNode } from "../explore/dpor/wakeup_tree.ts";
import { maxTopDepth, type TopShape } from "./dpor_walk.ts";

/**
 * The mean states of subtree jobs under which the cut goes no deeper than splitDepth. Replayed
 * (scaling.ts) with 2 workers, lastzero(10)'s --jobs=1 job log gave 1.45x at 1,000 (36 jobs)
 * and 1.92x at 200 (68 jobs).
 */
export const minJobStates = 200;
/**
 * The cut goes deeper while fewer branches than this per worker are known and not started.
 * Measured with 2 workers (odpor, load 7 to 9): at 2, lastzero(12) made 934 jobs and
 * indexer(15) 1,763 (73 s, against 24 s with one worker): small jobs and the probes of a deep
 * top; at 1, 51 and 333.
 */
export const knownPerWorker = 1;
/**
 * A known branch this large (the leaves of its wakeup tree: executions it will explore at
 * least) is split when it also holds a large share of the work seen (bigShare): below, a
 * job's start and messages cost more than a split gives.
 */
export const minBigLeaves = 64;
/**
 * The share of the work seen (the executions used so far, and the leaves of the node's known
 * branches) above which a known branch is split, times the workers: with w workers, a branch
 * of 1/(2w) of the work or more would be the critical path of its part of the search.
 */
export const bigShare = 1 / 2;

/**
 * The leaves of `tree` (a branch of a node's wakeup tree), counted up to `cap`: each is a
 * sequence the search extends to an execution of its own, so the branch's subtree has at least
 * that many executions (readers(13): exactly as many once the branches before it are explored;
 * lastzero(12): [1]'s two branches have 1,024 leaves each, and 6,144 and 7,168 executions).
 */
export function leaves(tree: WakeupNode, cap: number): number {
  let n = 0;
  const stack = [tree];
  while (stack.length > 0 && n < cap) {
    const t = stack.pop()!;
    if (t.count === 0) n++;
    for (let i = 0; i < t.count; i++) stack.push(t.child(i));
  }
  return Math.min(n, cap);
}

export class CutRule {
  /** The states of the subtree jobs the frontier used so far, in the sequential order. */
  private jobStates = { sum: 0, count: 0 };
  /** The executions of the subtree jobs used so far. */
  private executions = 0;
  /** Nodes split for a large branch alone (holdsBig), in the sequential order. */
  bigSplits = 0;

  constructor(private readonly splitDepth: number, private readonly workers: number) {}

  /** The frontier used a subtree job's answer of `states` states. */
  used(states: number, executions = 0): void {
    this.jobStates.sum += states;
    this.jobStates.count++;
    this.executions += executions;
  }

  /**
   * The frontier takes `n`'s probe, `known` branches known and not started on its path (n's
   * own included): whether n's children below splitDepth levels are above the cut too. Deeper
   * while few branches are known (a thin top: the sequential order makes a node's later
   * branches known only once its first ones are explored, so the first subtree of a thin top
   * would otherwise be one job holding most of the search: indexer(15), 5 jobs at 4 levels),
   * and while the subtree jobs done so far are large (small jobs cost more than they give: a
   * job's start, its prefix, two messages).
   */
  decide(n: TopShape, known: number): void {
    n.deeper = this.wouldGoDeeper(known, n.node?.tree);
    if (n.deeper && !this.fewKnown(known)) this.bigSplits++;
  }

  /**
   * What decide would say now with `known` branches known and `tree` the node's wakeup tree
   * (the prediction reads it ahead, dpor_predict.ts).
   */
  wouldGoDeeper(known: number, tree?: WakeupNode): boolean {
    return this.fewKnown(known) || (tree !== undefined && this.holdsBig(tree));
  }

  /** Few branches known on the path, and the subtree jobs so far not small. */
  private fewKnown(known: number): boolean {
    const { sum, count } = this.jobStates;
    const large = count === 0 || sum / count >= minJobStates;
    return large && known < knownPerWorker * this.workers;
  }

  /**
   * Whether a known branch of the node whose wakeup tree is `tree` holds a large share of the
   * work seen (lastzero(12): [1]'s two branches hold 87 % of the search, and as two subtree
   * jobs the larger is the critical path): its leaves, the executions it will explore at
   * least, are minBigLeaves or more and at least bigShare / workers of the executions used so
   * far and the node's known branches' leaves. A node's branches are known when the frontier
   * takes its probe and final from then on (no insertion lands below the branch being
   * explored: docs/parallel.md), so this too is a function of the sequential order alone.
   */
  private holdsBig(tree: WakeupNode): boolean {
    if (tree.count === 0) return false;
    const cap = 1 << 20;
    const sizes: number[] = [];
    for (let i = 0; i < tree.count; i++) sizes.push(leaves(tree.child(i), cap));
    const largest = Math.max(...sizes);
    const seen = this.executions + sizes.reduce((a, b) => a + b, 0);
    return largest >= minBigLeaves && largest * this.workers >= bigShare * seen;
  }

  /**
   * Whether the child of `n` at `level` is above the cut (a node of the coordinator's, not a
   * job's root); null while the frontier has not decided for n's children (the prediction
   * then looks no deeper).
   */
  above(n: TopShape, level: number): boolean | null {
    if (n.depth + 1 >= maxTopDepth) return false;
    if (level < this.splitDepth) return true;
    return n.deeper;
  }
}
