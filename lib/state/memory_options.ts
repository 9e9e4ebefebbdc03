/**
 * The options of a memory target (lib/state/memory_target.ts) beyond those of any program run,
 * and the default spacing of its snapshots.
 */

import type { RunOptions } from "../process/spec.ts";
import type { TrackerKind } from "./native.ts";

export interface MemoryTargetOptions extends RunOptions {
  /** The best write tracker allowed (default: uffd-wp when the kernel has it). */
  readonly tracker?: TrackerKind;
  /**
   * Re-read the program's memory map at every snapshot and restore instead of trusting the
   * runtime's report of mapping changes (for programs that map memory behind its back).
   */
  readonly checkMaps?: boolean;
  /**
   * Run the rest of main (after isomc_run) at the end of every execution, even from a final
   * state whose end is already known (default false: each distinct final state runs it once).
   */
  readonly runEveryEnd?: boolean;
  /**
   * Without state comparison, snapshot a branching point only when no snapshot is closer than
   * this many steps above it; going back to a point without one replays the steps from the
   * nearest one above, in a single RUN (default defaultSnapshotSpacing; 1: every branching point).
   */
  readonly snapshotSpacing?: number;
  /**
   * Send a restore's replay with the next step, in one RUN, where nothing needs the state in
   * between (default false). Off: an `exit` cut or a crash in that step is reported with the
   * actors unfinished at the last point the program reported, which a joined replay skips
   * (tests/pthread_try_test.ts's exit_thread_race.c named none); and it measured no faster
   * (bench/README.md, "Speed, part 4"). tests/cheap_ends_test.ts compares both ways.
   */
  readonly joinReplays?: boolean;
}

/**
 * A snapshot costs about as much as four or five steps replayed in one RUN (bench/README.md),
 * and most snapshots are never restored: one every 8 steps made the DPOR benchmarks 20-30%
 * faster than one at every branching point, and changed nothing measurable on the deep and
 * large-heap ones.
 */
export const defaultSnapshotSpacing = 8;
