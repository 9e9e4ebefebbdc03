/**
 * What the liveness search needs to know of the program state a step (or the start) led to:
 * its key (the 64-bit state hash as two 32-bit halves), whether it is terminal (the run ended
 * or deadlocked: it stutters), the letter the automaton reads there (the propositions'
 * values as a bit mask over the automaton's propositions) and the actors enabled in it.
 */

import { InputError } from "../errors.ts";
import type { Outcome, Target } from "../explore/target.ts";
import type { Automaton } from "../ltl/automaton.ts";
import { unknownNamesError } from "../ltl/parser.ts";
import { anyEnabled, Kind, type Point, spinsForever } from "../model/transition.ts";

/** The proposition the non-progress search reads: whether a marker was just passed. */
export const progressProp = "@progress";

/**
 * What a point where nothing can move is (null: something can): a cut when an actor is blocked
 * by a failed assumption (the run is infeasible: a dead end, never a finite run that stutters,
 * docs/svcomp.md); a deadlock; a livelock, when
 * actors spin (docs/pthreads.md, "Spin loops") and each would repeat its iteration exactly,
 * for ever, nobody else being able to run; or a cut, when one of them would read a value
 * another actor wrote since: it would go on, in a state that the orders with that write before
 * its reads reach, so the point is a dead end of the search, as in a safety search.
 */
export function blockedEnd(point: Point): "deadlock" | "livelock" | "cut" | null {
  if (anyEnabled(point)) return null;
  if (point.transitions.some((t) => t.kind === Kind.assume)) return "cut";
  const spinning = point.transitions.filter((t) => t.spin === true);
  if (spinning.length === 0) return "deadlock";
  return spinning.every(spinsForever) ? "livelock" : "cut";
}

export interface Observed {
  readonly lo: number;
  readonly hi: number;
  /** null: the run ended (done) or deadlocked and is extended by stuttering. */
  readonly point: Point | null;
  readonly letter: number;
  /** Bit `1n << actor` for each actor whose pending transition is enabled. */
  readonly enabled: bigint;
}

/**
 * Terminal states are keyed by their letter alone: from one, the only future is its letter
 * repeated forever, so two with the same letter are the same for the product. The high half
 * 0xffffffff keeps them apart from program hashes (a clash would need a hash of that form).
 */
const terminalHi = 0xffffffff;

export class Observer {
  /** For each automaton proposition: its index in the target's list, or -1 for progress. */
  private index: number[] | null = null;

  constructor(
    private readonly target: Target,
    private readonly automaton: Automaton,
    private readonly source: string,
  ) {}

  /** Maps the automaton's propositions to the program's; the unknown-name error if any. */
  private bind(): number[] {
    const registered = this.target.propositions?.() ?? null;
    const names = registered?.names ?? [];
    const error = unknownNamesError(this.source, this.automaton.props, names);
    if (error !== null) throw error;
    return this.automaton.props.map((p) => (p === progressProp ? -1 : names.indexOf(p)));
  }

  /**
   * The current letter. The first call checks the names (at the first state). A terminal
   * state counts as progress: a run that ends (or deadlocks, as a finite run) does not loop,
   * so its stutter is no non-progress cycle (as with SPIN's -l).
   */
  letter(terminal = false): number {
    this.index ??= this.bind();
    if (this.index.length === 0) return 0;
    const values = this.target.propositions?.()?.values ?? [];
    let letter = 0;
    for (let i = 0; i < this.index.length; i++) {
      const at = this.index[i];
      const v = at < 0 ? (terminal || (this.target.progressed?.() ?? false)) : values[at];
      if (v) letter |= 1 << i;
    }
    return letter;
  }

  /**
   * The state an outcome that is not a violation left the target in; `terminal` says that a
   * point is to be taken as a finite end (a deadlock under --no-deadlock), `livelock` that it
   * stutters as a loop that never ends (blockedEnd): its stutter is no progress.
   */
  observe(outcome: Outcome, terminal: boolean, livelock = false): Observed {
    if (outcome.kind === "violation") throw new Error("internal: observe a violation");
    const end = outcome.kind === "done" || terminal || livelock;
    const letter = this.letter(end && !livelock);
    if (end) return { lo: letter, hi: terminalHi, point: null, letter, enabled: 0n };
    const hash = this.target.stateHash?.() ?? null;
    if (hash === null) {
      throw new InputError(
        "the liveness search needs program states it can recognise (--restore=memory, --visited)",
      );
    }
    let enabled = 0n;
    for (const t of outcome.point.transitions) if (t.enabled) enabled |= 1n << BigInt(t.actor);
    return {
      lo: Number(hash & 0xffffffffn),
      hi: Number((hash >> 32n) & 0xffffffffn),
      point: outcome.point,
      letter,
      enabled,
    };
  }
}
