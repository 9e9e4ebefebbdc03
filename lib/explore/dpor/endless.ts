/**
 * Recognising an execution that never ends: a stateless reduction cannot end one, so past a
 * depth the states of the current execution are hashed (the target must give hashes), and an
 * execution that comes back to one of its own states can repeat the steps in between forever.
 */

import type { Step } from "../../model/transition.ts";
import { actorsOf, type EndlessExecution } from "../result.ts";
import type { Target } from "../target.ts";

/**
 * The states of the current execution, by hash, once it is deep enough to be suspected of
 * never ending; an execution that comes back to one of its states can repeat forever.
 */
export class EndlessWatch {
  private hashing = false;
  private readonly at: (bigint | undefined)[] = [];
  private readonly depthOf = new Map<bigint, number>();
  found: EndlessExecution | null = null;

  constructor(private readonly target: Target, private readonly allowed: boolean) {}

  /**
   * The current execution reached a point after `path` (not yet pushed); past `from` steps its
   * state is hashed. Returns the execution found to repeat its state, or null.
   */
  async arrive(path: readonly Step[], from: number): Promise<EndlessExecution | null> {
    const depth = path.length;
    if (!this.allowed || depth < from) return null;
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
      this.found = { kind: "repeats", steps: [depth, first], actors: actorsOf(path, first, depth) };
      return this.found;
    }
    this.depthOf.set(h, depth);
    this.at[depth] = h;
    return null;
  }

  /** The search went back to the state after `depth` steps (hashes below `from` stop). */
  backTo(depth: number, from: number): void {
    for (let d = this.at.length - 1; d > depth; d--) {
      const h = this.at[d];
      if (h !== undefined && this.depthOf.get(h) === d) this.depthOf.delete(h);
    }
    this.at.length = Math.min(this.at.length, depth + 1);
    if (this.hashing && depth < from) {
      this.target.hashStates?.(false);
      this.hashing = false;
      this.at.length = 0;
      this.depthOf.clear();
    }
  }
}
