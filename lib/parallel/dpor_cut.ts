/**
 * Where the cut of a parallel sdpor/odpor search is (dpor_coordinator.ts): which nodes the
 * coordinator keeps and which are the roots of subtree jobs. Exactness does not depend on it
 * (docs/parallel.md); the work does. The decision is a function of the sequential search's
 * state alone, never of timing: the frontier, which walks the nodes in the sequential order,
 * decides for a node's children when it takes the node's probe, from what it has seen so far
 * in that order (the subtree jobs used, the branches known on its path). So the same program
 * and the same number of workers give the same cut, the same jobs, on any machine's load.
 */

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

export class CutRule {
  /** The states of the subtree jobs the frontier used so far, in the sequential order. */
  private jobStates = { sum: 0, count: 0 };

  constructor(private readonly splitDepth: number, private readonly workers: number) {}

  /** The frontier used a subtree job's answer of `states` states. */
  used(states: number): void {
    this.jobStates.sum += states;
    this.jobStates.count++;
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
    n.deeper = this.wouldGoDeeper(known);
  }

  /** What decide would say now with `known` branches known (the prediction reads it ahead). */
  wouldGoDeeper(known: number): boolean {
    const { sum, count } = this.jobStates;
    const large = count === 0 || sum / count >= minJobStates;
    return large && known < knownPerWorker * this.workers;
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
