/**
 * How the rest of main (after isomc_run) ended, by final state. What follows isomc_run
 * depends only on the final state (memory and descriptors), so from a state equal to one whose
 * end already ran, the end is known: the memory restore runs it once per distinct final state
 * instead of once per execution (docs/state.md).
 */

import type { Outcome } from "../explore/target.ts";

/** At most this many final states remember how main ended from them. */
const MAX_KNOWN_ENDS = 1 << 20;

export interface EndStats {
  /** Final states from which the rest of main ran, and those whose known end was reused. */
  endsRun: number;
  endsReused: number;
  /** Final states looked up (each the engine's view brought up to date, and a hash). */
  endsLookedUp: number;
}

export class KnownEnds {
  private readonly ends = new Map<string, Outcome>();
  /** The final state whose end is running now, to be remembered with its outcome. */
  private pending: string | null = null;
  private readonly counts: EndStats = { endsRun: 0, endsReused: 0, endsLookedUp: 0 };

  /**
   * At a final point with key `key` (null: not looked up): the known end, or null when the
   * end must run — then its outcome is remembered by settle().
   */
  lookup(key: string | null): Outcome | null {
    this.pending = null;
    if (key !== null) {
      this.counts.endsLookedUp++;
      const known = this.ends.get(key);
      if (known !== undefined) {
        this.counts.endsReused++;
        return known;
      }
      if (this.ends.size < MAX_KNOWN_ENDS) this.pending = key;
    }
    this.counts.endsRun++;
    return null;
  }

  /** The outcome of a step: when it is the end that lookup() let run, remember it. */
  settle(outcome: Outcome): void {
    if (this.pending !== null && outcome.kind !== "point") this.ends.set(this.pending, outcome);
    this.pending = null;
  }

  stats(): EndStats {
    return { ...this.counts };
  }
}
