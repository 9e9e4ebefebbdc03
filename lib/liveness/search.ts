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
  type FoundViolation,
  Heartbeat,
  type IncompleteReason,
  newStats,
  type Stats,
  type Verdict,
} from "../explore/result.ts";
import { Interrupted, type Target } from "../explore/target.ts";
import type { Automaton } from "../ltl/automaton.ts";
import type { Lasso } from "./lasso.ts";
import { ProductSearch } from "./product.ts";

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
  const product = new ProductSearch(target, options, stats, startedMs);
  const first = await product.begin();
  if (first !== null) return first;
  const heartbeat = new Heartbeat(options);
  while (product.open) {
    if (heartbeat.due()) {
      // Kept current for the progress line, and for a search an interrupt ends by throwing.
      product.count();
      await heartbeat.beat(stats, startedMs);
    }
    if (heartbeat.stop !== null) {
      return product.finish("incomplete", { incomplete: heartbeat.stop });
    }
    const next = await product.nextEdge();
    if (next === null) continue;
    if ("verdict" in next) return next;
    const found = await product.follow(next);
    if (found !== null) return found;
  }
  return product.ended();
}
