/**
 * Recognising an execution that never ends. Without --max-depth, an execution deeper than the
 * runaway bound stops the search (result.ts, runawayDepth). A stateless reduction, which cannot
 * end an infinite execution, also watches for one that repeats its state: past hashingDepth the
 * states of the current execution are hashed (the target must give hashes), and an execution
 * that comes back to one of its own states can repeat the steps in between forever.
 */

import type { Step } from "../model/transition.ts";
import {
  actorsOf,
  type EndlessExecution,
  type ExploreOptions,
  hashingDepth,
  runawayDepth,
} from "./result.ts";
import type { Target } from "./target.ts";

export class EndlessWatch {
  private readonly bounded: boolean;
  private hashing = false;
  private readonly at: (bigint | undefined)[] = [];
  private readonly depthOf = new Map<bigint, number>();

  constructor(
    private readonly target: Target,
    private readonly options: ExploreOptions,
    /** Watch for repeated states (a reduction, with the fallback allowed). */
    private readonly repeats: boolean,
  ) {
    this.bounded = (options.maxDepth ?? Infinity) < Infinity;
  }

  /**
   * Whether check has anything to do at `depth` (it answers null without looking otherwise):
   * the search asks this at every step, so that a step that need not be watched costs no
   * promise (issue 10: a lean search loop).
   */
  due(depth: number, deepestEnded: number): boolean {
    if (this.bounded) return false;
    if (depth >= runawayDepth(deepestEnded, this.options.runawaySteps)) return true;
    return this.repeats && depth >= hashingDepth(deepestEnded);
  }

  /**
   * The current execution reached a point after `path` (not yet pushed); `deepestEnded` is
   * the depth of the deepest execution that ended. Returns the execution if it is found not to
   * end: too deep, or back at one of its states.
   */
  async check(path: readonly Step[], deepestEnded: number): Promise<EndlessExecution | null> {
    if (this.bounded) return null;
    const depth = path.length;
    if (depth >= runawayDepth(deepestEnded, this.options.runawaySteps)) {
      return { kind: "too-deep", steps: [depth], actors: actorsOf(path, depth - 1000, depth) };
    }
    if (!this.repeats || depth < hashingDepth(deepestEnded)) return null;
    if (!this.hashing) {
      this.hashing = this.target.hashStates?.(true) ?? false;
      if (!this.hashing) return null;
      // The state just reached gets its hash by being restored.
      await this.target.restore(path);
    }
    const h = this.target.stateHash?.() ?? null;
    if (h === null) return null;
    const first = this.depthOf.get(h);
    if (first !== undefined) {
      return { kind: "repeats", steps: [depth, first], actors: actorsOf(path, first, depth) };
    }
    this.depthOf.set(h, depth);
    this.at[depth] = h;
    return null;
  }

  /** The search went back to the state after `depth` steps (hashes stop above hashingDepth). */
  backTo(depth: number, deepestEnded: number): void {
    if (!this.hashing) return;
    for (let d = this.at.length - 1; d > depth; d--) {
      const h = this.at[d];
      if (h !== undefined && this.depthOf.get(h) === d) this.depthOf.delete(h);
    }
    this.at.length = Math.min(this.at.length, depth + 1);
    if (depth < hashingDepth(deepestEnded)) {
      this.target.hashStates?.(false);
      this.hashing = false;
      this.at.length = 0;
      this.depthOf.clear();
    }
  }
}
