/**
 * One program process's state as a memory target reads and writes it from outside
 * (lib/state/memory_target.ts): its snapshot engine, its /proc/PID/fd, whether its mappings may
 * have changed since the engine last read them, and whether the program has run since the
 * engine last looked at it. It takes a state (a snapshot, the fd table, the output's sizes),
 * keys a final state for the known ends of main, and puts a saved state back: mappings, pages,
 * descriptors, pipes' content, output files.
 */

import { closeFd } from "../native/process.ts";
import { openFdDir } from "../native/fds.ts";
import { emptyMark, type ProgramOutput } from "../process/output.ts";
import type { ProgramRun } from "../process/program.ts";
import type { StackInfo } from "../process/protocol.ts";
import { checkReopenable, fdChanges, type FdEntry, readFdTable, refillPipes } from "./fds.ts";
import type { Engine, EngineStats } from "./native.ts";
import type { SavedState } from "./path_snapshots.ts";
import { endKey } from "./state_key.ts";

export class LiveMemory {
  /** The program's /proc/PID/fd, open while it runs. */
  private fdDir = -1;
  /** The program may have mapped or unmapped memory since the engine last read its maps. */
  private mapsStale = true;
  /**
   * How many frames the checker had sent the program when the engine last brought its view up
   * to date (a sync, a snapshot, a restore); -1 before. The program runs only when told to (a
   * frame), so while no frame has been sent since, the view is the program's memory.
   */
  private seenAt = -1;
  /** Restores that found the program untouched since the engine's last look (RestoreStats). */
  cleanRestores = 0;
  /**
   * The fd table as last read, and the frames sent then: while no frame has been sent since,
   * the program has not run (nor has the agent in it), so the table is still its table. A
   * restore after a known end reuses the one the final-state lookup read.
   */
  private lastFds: { fds: FdEntry[]; at: number } | null = null;
  /** The runtime's own descriptors, from HELLO (made once, not at every read). */
  private ownFds: ReadonlySet<number> | null = null;

  constructor(
    readonly engine: Engine,
    private readonly run: ProgramRun,
    /** Re-read the program's maps at every snapshot and restore (ISOMC_CHECK_MAPS=1). */
    private readonly paranoid: boolean,
  ) {}

  /** The program may have changed its mappings (the runtime said so in a report). */
  mapsChanged(): void {
    this.mapsStale = true;
  }

  /** Nothing ran in the program since the engine's view was last brought up to date. */
  private get untouched(): boolean {
    return this.seenAt === this.run.framesSent && !this.run.runsAhead;
  }

  /** Snapshots the program where it stands (at a point), with its descriptors and output. */
  save(output: ProgramOutput | undefined): SavedState {
    // The runtime flags mapping changes it made or saw; the paranoid mode re-reads the maps
    // every time.
    const snapshot = this.engine.snapshot(this.paranoid || this.mapsStale);
    this.mapsStale = false;
    this.seenAt = this.run.framesSent;
    return { snapshot, fds: this.readFds(), output: output?.mark() };
  }

  /**
   * The key of the final state the program stands at: its memory with every stack dead, and
   * its descriptors. The engine's view is brought up to date (no snapshot is kept: a restore
   * follows, which compares the snapshot it goes to with that view).
   */
  finalKey(stacks: readonly StackInfo[]): string {
    this.engine.sync(this.paranoid || this.mapsStale);
    this.mapsStale = false;
    this.seenAt = this.run.framesSent;
    return endKey(this.engine, stacks, this.readFds());
  }

  /** Puts `state` back into the program: its mappings, pages, descriptors, pipes and output. */
  async restore(state: SavedState, output: ProgramOutput | undefined): Promise<void> {
    const reread = this.paranoid || this.mapsStale;
    const ops = this.engine.plan(state.snapshot, reread);
    // Asked before MAP, which runs the program.
    const untouched = this.untouched;
    if (ops.length > 0) await this.run.map(ops);
    // plan() brought the engine's view up to date when it re-read the maps.
    const mapsChanged = this.paranoid || ops.length > 0;
    // Untouched (the final state of a known end, keyed just before): no page was written since
    // the engine's last look, so the write tracker need not be asked which.
    const clean = untouched && !mapsChanged;
    if (clean) this.cleanRestores++;
    this.engine.restore(state.snapshot, mapsChanged, clean);
    this.mapsStale = false;
    // Before FDS: the agent runs in the program, and what it writes is seen at the next look.
    this.seenAt = this.run.framesSent;
    const last = this.lastFds;
    const now = last !== null && last.at === this.run.framesSent && !this.run.runsAhead
      ? last.fds
      : this.readFds(false);
    const changes = fdChanges(now, state.fds);
    checkReopenable(changes);
    if (changes.length > 0) await this.run.fds(changes);
    refillPipes(this.run.hello!.pidfd, state.fds);
    // The output files go back with the memory (the stdio buffers are in it).
    output?.rewind(state.output ?? emptyMark);
  }

  readFds(contents = true): FdEntry[] {
    const hello = this.run.hello!;
    if (this.fdDir < 0) this.fdDir = openFdDir(hello.pid);
    this.ownFds ??= new Set(hello.ownFds);
    const fds = readFdTable(hello.pid, hello.pidfd, this.fdDir, this.ownFds, contents);
    // Read while the program stood still (not in a batch): valid until the next frame.
    this.lastFds = this.run.runsAhead ? null : { fds, at: this.run.framesSent };
    return fds;
  }

  /** Frees the engine and the fd directory; returns what the engine did. */
  free(): EngineStats {
    const stats = this.engine.stats();
    this.engine.free();
    if (this.fdDir >= 0) closeFd(this.fdDir);
    this.fdDir = -1;
    return stats;
  }
}
