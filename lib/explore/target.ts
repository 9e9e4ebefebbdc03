/**
 * The small interface every exploration algorithm works over, in the spirit of stateright's
 * Model: start at the initial state, execute a step, restore an earlier state. A real program
 * (lib/process/) and the in-memory transition systems of the tests both implement it, so each
 * algorithm is tested without processes as well as with them.
 */

import type { NameTable, Point, Step } from "../model/transition.ts";

export type ViolationKind = "deadlock" | "assertion" | "crash" | "exit" | "timeout" | "data-race";

export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  /** The actor at fault (the one that moved last for crashes and exits), or null. */
  readonly actor: number | null;
}

/** What executing a step (or starting) leads to. */
export type Outcome =
  | {
    readonly kind: "point";
    readonly point: Point;
    /**
     * The program drew a value from the nondet range (a wide __VERIFIER_nondet_*, docs/svcomp.md)
     * at or before this point: the search covers that range only, so it cannot end `ok`.
     */
    readonly nondetRange?: boolean;
  }
  /**
   * Every actor finished. (A failed assumption blocks its actor instead: a point with nothing
   * enabled, which result.ts's endOfStuck classifies.)
   */
  | { readonly kind: "done" }
  | { readonly kind: "violation"; readonly violation: Violation };

export interface Target {
  /** Names of actors and objects seen so far (ids are the same in every execution). */
  readonly names: NameTable;
  /** Begins an execution at the initial state. */
  start(): Promise<Outcome>;
  /**
   * Executes one step from the current state, which must be a point where it is enabled.
   * `ahead`, when given, is the caller's forecast of what it does next (see AheadHint): a
   * target may let the program run on by that rule and serve the next steps from what it
   * reported, without a round trip each. A forecast never changes an outcome: a step that
   * differs from it only costs the target a restore (counted as a misprediction).
   */
  execute(step: Step, ahead?: AheadHint): Promise<Outcome>;
  /**
   * Returns to the state reached from the initial state by `path` (a prefix of steps already
   * explored, each of which led to a point). How is the target's business: re-execution,
   * a memory snapshot, a forked copy. `known`, when given, is the caller's promise that the
   * first `known` steps of `path` are those of the target's own path (the steps of its last
   * start or restore and those executed since): a target that compares paths then checks only
   * the rest, so that a restore on a deep path does not cost its depth (the liveness search's
   * path can hold every state).
   */
  restore(path: readonly Step[], known?: number): Promise<void>;
  /**
   * A hash of the current state (after start or execute), equal for equal states however
   * they were reached; null or absent when the target cannot tell. Used to prune states the
   * search has already explored.
   */
  stateHash?(): bigint | null;
  /**
   * Turns state hashes on or off, for the states reached from now on (after a restore, the
   * state restored); answers whether the target gives them. A search turns them on only where
   * it needs them, since they cost (a snapshot of every state, for a real program).
   */
  hashStates?(on: boolean): boolean;
  /**
   * The current state itself, for a search that confirms equal hashes (--exact-compare);
   * null or absent when the target cannot give it.
   */
  exactState?(): ExactState | null;
  /**
   * The program's propositions (isomc_prop) and their values in the current state (after
   * start or execute, a `done` outcome included: the values when the last actor finished);
   * null or absent when the target has none. The liveness search (lib/liveness/) reads them
   * at every state; the names are the same in every state.
   */
  propositions?(): PropositionValues | null;
  /**
   * Whether the transition that led to the current state passed an isomc_progress() marker
   * (false or absent when it cannot tell). It must be part of the state — equal states agree
   * on it — so that a cycle of states without it is a cycle that passes no marker
   * (docs/liveness.md, non-progress cycles).
   */
  progressed?(): boolean;
  /** Releases every resource (processes, snapshots). Safe to call twice. */
  close(): Promise<void>;
  /** Work the target did beyond the steps it was asked for (re-executed steps, restarts). */
  readonly counters: TargetCounters;
}

/**
 * A search's forecast after a step: from the state it leads to, it takes `steps` in order (the
 * steps it knows already: a wakeup sequence it is about to follow), then, at each point, the
 * lowest enabled actor's first choice, unless that actor is in `asleep` (where it may choose
 * otherwise, or stop), and it takes no step from a point `maxDepth` steps deep. With `asleep`
 * null it says nothing past `steps`. The forecast holds until the search does anything else
 * (a restore, another step). A search may work it out only when read (lib/explore/dpor/stack.ts):
 * read it during the execute call it came with, not later (a target that keeps it copies it).
 */
export interface AheadHint {
  /** The steps the search takes next, in order, before the rule (none when absent). */
  readonly steps?: readonly Step[];
  /**
   * The actors that may be asleep below (sorted); the rule stops where one is the lowest
   * enabled. Null: no rule after `steps` (the search's choice there is not the rule's).
   */
  readonly asleep: readonly number[] | null;
  /** The search's depth bound (Infinity: none). */
  readonly maxDepth: number;
}

/** The step a forecast (AheadHint) takes at `point`, or null where it stops. */
export function aheadStepAt(point: Point, asleep: readonly number[] | null): Step | null {
  if (asleep === null) return null;
  for (const t of point.transitions) {
    if (!t.enabled) continue;
    return asleep.includes(t.actor) ? null : { actor: t.actor, choice: 0 };
  }
  return null;
}

/**
 * The step `hint` forecasts as the `taken`-th after the step it came with (0: the first), at
 * `point`: one of its known steps, then the rule's; null where it says nothing.
 */
export function forecastStep(hint: AheadHint, taken: number, point: Point): Step | null {
  const known = hint.steps ?? [];
  if (taken < known.length) return known[taken];
  return aheadStepAt(point, hint.asleep);
}

/** Propositions: their names (as registered) and their values, index by index. */
export interface PropositionValues {
  readonly names: readonly string[];
  readonly values: readonly boolean[];
}

/** A state as a target holds it, to tell two states with the same hash apart. */
export interface ExactState {
  /** Whether `other` (from the same target) is the same state. */
  equals(other: ExactState): boolean;
  /** Lets go of what it holds (memory, snapshots). */
  release(): void;
}

export interface TargetCounters {
  /** Steps executed again to restore states. */
  replayedSteps: number;
  /** Executions started from scratch (processes spawned, for a real program). */
  restarts: number;
  /** Restores done, and the time they took (for replay: restart and replayed steps). */
  restores: number;
  restoreSeconds: number;
}

/**
 * Thrown by a target call that the search's signal cut short (Ctrl-C while a transition runs):
 * the program was killed, the current execution is lost, and the search ends there, incomplete.
 */
export class Interrupted extends Error {
  override name = "Interrupted";
  constructor() {
    super("interrupted");
  }
}

export function newCounters(): TargetCounters {
  return { replayedSteps: 0, restarts: 0, restores: 0, restoreSeconds: 0 };
}
