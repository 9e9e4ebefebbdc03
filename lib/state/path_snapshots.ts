/**
 * The snapshots a memory target keeps along its current path (lib/state/memory_target.ts):
 * at which depths, each with the fd table and the output files' sizes that go with it; which
 * points deserve one (the spacing rule), which go again (the transient snapshots of a search
 * that hashes every state, the thinning past maxPathSnapshots, everything below a restore),
 * and the deepest one a restore or a continuation rule starts from. It holds no process: the
 * snapshots are released through the function it is given (the engine's drop).
 */

import type { OutputMark } from "../process/output.ts";
import type { FdEntry } from "./fds.ts";
import type { Snapshot } from "./native.ts";

/**
 * The most snapshots kept on the path. A snapshot costs memory per mapping of the program (5,000
 * actors: about 360 KB), so one every few steps of a deep path would grow with depth times
 * actors; beyond this many, the upper half of the path loses every other snapshot (see thin).
 */
export const maxPathSnapshots = 256;

/** A state the target can go back to: its memory, its descriptors, its output's sizes. */
export interface SavedState {
  readonly snapshot: Snapshot;
  readonly fds: readonly FdEntry[];
  readonly output: OutputMark | undefined;
}

export class PathSnapshots {
  /** saved[d]: the state after the first d steps of the target's path. */
  private saved: (SavedState | undefined)[] = [];
  /** How many of `saved` are set. */
  private live = 0;

  constructor(
    /** No snapshot is taken less than this many steps below another (memory_target.ts). */
    readonly spacing: number,
    private readonly release: (snapshot: Snapshot) => void,
  ) {}

  at(depth: number): SavedState | undefined {
    return this.saved[depth];
  }

  has(depth: number): boolean {
    return this.saved[depth] !== undefined;
  }

  /** Keeps `state` as the one at `depth`, then thins the path if it holds too many. */
  put(depth: number, state: SavedState): void {
    if (this.saved[depth] !== undefined) this.dropAt(depth);
    this.saved[depth] = state;
    this.live++;
    this.thin();
  }

  /** The deepest depth at or above `depth` that has a snapshot, or -1. */
  deepest(depth: number): number {
    for (let d = Math.min(depth, this.saved.length - 1); d >= 0; d--) {
      if (this.saved[d] !== undefined) return d;
    }
    return -1;
  }

  /**
   * Whether a snapshot is less than `spacing` steps above `depth` (`depth` itself left out):
   * then a branching point there is not worth one of its own (worthSnapshot in memory_target.ts).
   */
  near(depth: number): boolean {
    for (let d = depth - 1; d > depth - this.spacing && d >= 0; d--) {
      if (this.saved[d] !== undefined) return true;
    }
    return false;
  }

  /**
   * Hashing takes a snapshot of every state, but one is kept only where it is worth it: the
   * snapshot at `d`, the state just left (one step above the new one, `depth`), goes unless no
   * other is less than `spacing` steps above it. A restore then replays fewer steps than that
   * from the nearest (unless thinning spaced them further); a state restored to keeps its
   * snapshot (the caller does not call this for it: the search comes back there to try its
   * other steps). Keeping every one cost about 12 KB per state of the path (its copy-on-write
   * chunks of page ids), and the count cap then thinned them to gaps of thousands of steps on
   * a deep path (bench/README.md, "Liveness on real programs").
   */
  dropTransient(d: number, depth: number): void {
    if (d <= 0 || d !== depth - 1 || this.saved[d] === undefined) return;
    if (this.near(d)) this.dropAt(d);
  }

  /**
   * Keeps at most maxPathSnapshots snapshots: past that, every other one of the upper half of
   * the path (the initial state's aside) goes. A depth-first search comes back mostly near the
   * bottom of its path, where snapshots stay dense; going back higher replays the steps from
   * the nearest snapshot above, which thinning after thinning spaces further apart the higher
   * they are.
   */
  private thin(): void {
    if (this.live <= maxPathSnapshots) return;
    const depths: number[] = [];
    for (let d = 1; d < this.saved.length; d++) {
      if (this.saved[d] !== undefined) depths.push(d);
    }
    const upper = depths.slice(0, Math.floor(depths.length / 2));
    for (let k = 0; k < upper.length; k += 2) this.dropAt(upper[k]);
  }

  dropAt(d: number): void {
    const s = this.saved[d];
    if (s === undefined) return;
    this.release(s.snapshot);
    this.saved[d] = undefined;
    this.live--;
  }

  /** Drops every snapshot at `depth` and below (the path is cut there, or the program gone). */
  dropFrom(depth: number): void {
    for (let d = depth; d < this.saved.length; d++) this.dropAt(d);
    this.saved.length = Math.min(this.saved.length, depth);
  }
}
