/**
 * A real program restored from forked checkpoints (`--restore=fork`): at a point the checker
 * may come back to, the running process freezes and a forked copy runs on; going back asks the
 * frozen process for a new copy. The processes form a chain — each checkpoint the parent of
 * the next, the running copy at the end — and are always killed from the deepest up, so each
 * is reaped by its (frozen) parent and none is orphaned. At most `maxCheckpoints` processes
 * stay frozen; deeper states are reached from the deepest checkpoint by replaying steps.
 *
 * A copy shares with its checkpoint what fork does not duplicate: pipes (their content is
 * saved with the checkpoint and put back into each copy) and MAP_SHARED memory (saved and
 * written back the same way, lib/state/native.ts SharedImage).
 *
 * With `keyEveryState` (--visited) every state gets the key memory snapshots give it
 * (lib/state/state_key.ts): the snapshot engine reads the running copy from outside. A copy's
 * writes cannot be tracked (its userfaultfd's registrations stay with the first process, and
 * fork does not carry them over), so each key reads the copy's every present page. A state is
 * frozen only when the search takes a step from it, so a state the search prunes never costs
 * a checkpoint.
 */

import {
  type ExactState,
  newCounters,
  type Outcome,
  type Target,
  type TargetCounters,
} from "../explore/target.ts";
import type { Step } from "../model/transition.ts";
import { deepestSaved, replayFrom, timed } from "./restore_path.ts";
import { type FdEntry, readFdTable, readPipes, refillPipes } from "./fds.ts";
import { closeFd } from "../native/process.ts";
import { openFdDir } from "../native/fds.ts";
import { ProgramRun } from "../process/program.ts";
import { Engine, PageStore, ProcessGone, SharedImage } from "./native.ts";
import { emptyMark, type OutputMark } from "../process/output.ts";
import type { MutableNames, ProgramSpec, RunOptions } from "../process/spec.ts";
import type { StackInfo } from "../process/protocol.ts";
import { deadStacks, endKey, MemoryState, type StateKey, stateKey } from "./state_key.ts";
import { type EndStats, KnownEnds } from "./known_ends.ts";
import { type Copy, makeAlike, type StartWords } from "./alike.ts";

export interface ForkTargetOptions extends RunOptions {
  /** Most frozen processes kept at once (default 64). */
  readonly maxCheckpoints?: number;
  /** With keys: re-read the program's memory map at every state (ISOMC_CHECK_MAPS=1). */
  readonly checkMaps?: boolean;
  /**
   * With keys: run the rest of main after every execution, not once per distinct final state
   * (as MemoryTargetOptions.runEveryEnd).
   */
  readonly runEveryEnd?: boolean;
}

export const defaultMaxCheckpoints = 64;

export class ForkTarget implements Target {
  readonly names: MutableNames = { actors: new Map(), objects: new Map() };
  readonly counters: TargetCounters = newCounters();
  private running: ProgramRun | null = null;
  /** checkpoints[d]: a frozen process at the state after the first d steps of `path`. */
  private checkpoints: (ProgramRun | undefined)[] = [];
  /**
   * pipes[d]: checkpoints[d]'s pipes between actors and their content. A copy shares its
   * checkpoint's pipes (and a later copy's reads and writes), so a restore puts it back.
   */
  private pipes: (FdEntry[] | undefined)[] = [];
  /** shared[d]: checkpoints[d]'s shared memory, when it maps any (written back likewise). */
  private shared: (SharedImage | undefined)[] = [];
  /** outputs[d]: the sizes of the output files at checkpoints[d] (copies share the files). */
  private outputs: (OutputMark | undefined)[] = [];
  private path: Step[] = [];
  private readonly maxCheckpoints: number;
  /** Checkpoints taken and copies forked, for the statistics. */
  forks = 0;
  /** Key every state (--visited), as memory snapshots do; set before start. */
  keyEveryState = false;
  /** The words every new copy takes from a reference copy (a parallel --visited, alike.ts). */
  startAlike: StartWords | null = null;
  /** The current state branches and has no checkpoint yet: freeze it before a step from it. */
  private freezeDue = false;
  /** The pages of every key read (created with the first key). */
  private store: PageStore | null = null;
  /** The snapshot engine on `running` (another process: another engine). */
  private engine: Engine | null = null;
  private engineOf: ProgramRun | null = null;
  /** The engine's view is the running copy as it is now (just read whole). */
  private engineFresh = false;
  private key: StateKey | null = null;
  /** The stacks the key was computed with (their dead parts left out). */
  private keyStacks: readonly StackInfo[] = [];
  /** Re-read the program's maps at every key (ISOMC_CHECK_MAPS=1). */
  private readonly paranoid: boolean;
  /** With keys, how main ended from each final state, as memory snapshots reuse it. */
  private readonly knownEnds = new KnownEnds();

  constructor(private readonly spec: ProgramSpec, private readonly options: ForkTargetOptions) {
    this.maxCheckpoints = options.maxCheckpoints ?? defaultMaxCheckpoints;
    this.paranoid = options.checkMaps ?? false;
  }

  async start(): Promise<Outcome> {
    this.dispose();
    this.options.output?.rewind(emptyMark);
    const { run, first } = await ProgramRun.start(
      this.spec,
      {
        ...this.options,
        stateful: true,
        reportStacks: this.keyEveryState,
        // Keyed, a final state equal to one whose end ran takes that end, as under memory:
        // the same search (a run end can change what the state shares, a pipe it reads).
        knownEnd: this.keyEveryState ? () => this.knownEnd() : undefined,
      },
      this.names,
    );
    this.running = run;
    this.counters.restarts++;
    this.path = [];
    // Before its first key: the copy starts as the reference copy did (alike.ts).
    const copy = this.copy();
    if (this.startAlike !== null && copy !== null) makeAlike(copy, this.startAlike);
    this.settle(first);
    return first;
  }

  async execute(step: Step): Promise<Outcome> {
    // Frozen only now that the search leaves it by a step: one it prunes is never frozen.
    if (this.freezeDue) await this.checkpoint();
    const outcome = await this.current().run([step], this.path.length);
    this.path.push(step);
    this.settle(outcome);
    return outcome;
  }

  /**
   * At a final point (keyed): how the rest of main ends from this state if an earlier
   * execution ran it from an equal one; otherwise null, and the end runs.
   */
  private knownEnd(): Outcome | null {
    if (this.options.runEveryEnd === true) return this.knownEnds.lookup(null);
    const run = this.running;
    if (run === null) return this.knownEnds.lookup(null);
    try {
      const engine = this.engineOn(run);
      if (!this.engineFresh) engine.sync(this.paranoid || run.mapsChanged);
      this.engineFresh = false;
      return this.knownEnds.lookup(endKey(engine, run.stacks, this.readFds(run)));
    } catch (e) {
      if (!(e instanceof ProcessGone)) throw e;
      this.freeEngine();
      return this.knownEnds.lookup(null);
    }
  }

  /** How many ends ran and were reused (keyed searches), for the statistics. */
  endStats(): EndStats {
    return this.knownEnds.stats();
  }

  /** After an outcome: whether to freeze the state before leaving it, and its key. */
  private settle(outcome: Outcome): void {
    this.knownEnds.settle(outcome);
    this.freezeDue = branches(outcome);
    this.key = null;
    if (!this.keyEveryState || outcome.kind === "violation") return;
    const run = this.running;
    if (run === null || !run.isAlive) return;
    try {
      const engine = this.engineOn(run);
      // A new engine has just read the copy whole.
      if (!this.engineFresh) engine.sync(this.paranoid || run.mapsChanged);
      this.engineFresh = false;
      const stacks = outcome.kind === "point" ? run.stacks : deadStacks(run.stacks);
      this.key = stateKey(engine, stacks, this.readFds(run));
      this.keyStacks = stacks;
    } catch (e) {
      // Gone (a crash): the next step says how it ended.
      if (!(e instanceof ProcessGone)) throw e;
      this.freeEngine();
    }
  }

  /** The snapshot engine on `run`, the running copy: the one it has, or a new one. */
  private engineOn(run: ProgramRun): Engine {
    if (this.engine !== null && this.engineOf === run) return this.engine;
    this.freeEngine();
    this.store ??= new PageStore();
    this.engine = new Engine(this.store, {
      pid: run.pid,
      pidfd: run.pidfd,
      // The copy's userfaultfd is the first process's: what it registers is that process's.
      uffd: -1,
      ignored: run.hello?.ignored ?? [],
      tracker: "none",
      restore: "fork",
    });
    this.engineOf = run;
    this.engineFresh = true;
    return this.engine;
  }

  private freeEngine(): void {
    this.engine?.free();
    this.engine = null;
    this.engineOf = null;
  }

  /** The current state's key (--visited); null when unknown. */
  /** The running copy (its pid and the runtime's own memory), if any: for alike.ts. */
  copy(): Copy | null {
    const run = this.running;
    if (run === null || !run.isAlive || run.hello === null) return null;
    return { pid: run.hello.pid, ignored: run.hello.ignored, randomFixed: run.randomFixed };
  }

  stateHash(): bigint | null {
    return this.key?.key ?? null;
  }

  /** The current state itself (--exact-compare): a snapshot of the running copy. */
  exactState(): ExactState | null {
    const run = this.running;
    if (this.key === null || run === null || this.engineOf !== run || this.store === null) {
      return null;
    }
    try {
      const snap = this.engine!.snapshot(this.paranoid || run.mapsChanged);
      const kept = this.store.keep(snap);
      this.engine!.drop(snap);
      return new MemoryState(this.store, kept, this.keyStacks, this.key.fds);
    } catch (e) {
      if (!(e instanceof ProcessGone)) throw e;
      return null;
    }
  }

  /** The running copy's descriptors, as memory snapshots key them. */
  private readFds(run: ProgramRun): FdEntry[] {
    const dir = openFdDir(run.pid);
    try {
      // The copy's own descriptors are the first process's numbers (native/src/runtime/
      // restore.zig forkRunner); what memory cannot reopen is described all the same.
      return readFdTable(run.pid, run.pidfd, dir, new Set(run.hello?.ownFds ?? []), true, false);
    } finally {
      if (dir >= 0) closeFd(dir);
    }
  }

  /** Freezes the running process here, unless the budget of frozen processes is spent. */
  private async checkpoint(): Promise<void> {
    this.freezeDue = false;
    const live = this.checkpoints.filter((c) => c !== undefined).length;
    if (live >= this.maxCheckpoints) return;
    const frozen = this.current();
    // The frozen process is read no more: its engine goes.
    if (this.engineOf === frozen) this.freeEngine();
    this.pipes[this.path.length] = this.readPipes(frozen);
    const image = SharedImage.save(frozen.pid, frozen.hello?.ignored ?? []);
    if (image.pages > 0) this.shared[this.path.length] = image;
    else image.free();
    this.running = await frozen.fork();
    this.forks++;
    this.checkpoints[this.path.length] = frozen;
    // What stdio still buffers is in the memory each copy has: the files' sizes now go
    // with it, as with a memory snapshot.
    this.outputs[this.path.length] = this.options.output?.mark();
  }

  private readPipes(run: ProgramRun): FdEntry[] {
    const dir = openFdDir(run.pid);
    try {
      // A copy holds the first process's own descriptors (its channel, and its userfaultfd
      // when the kernel gave one), at the same numbers.
      return readPipes(run.pid, run.pidfd, dir, run.hello?.ownFds.length ?? 0);
    } finally {
      if (dir >= 0) closeFd(dir);
    }
  }

  restore(path: readonly Step[], known = 0): Promise<void> {
    return timed(this.counters, () => this.restoreTo(path, known));
  }

  private async restoreTo(path: readonly Step[], known: number): Promise<void> {
    this.options.output?.endExecution();
    this.key = null;
    let depth = deepestSaved(path, this.path, (d) => this.usable(d), known);
    this.freeEngine();
    this.running?.kill();
    this.running = null;
    this.killFrom(depth + 1);
    const frozen = this.checkpoints[depth];
    if (frozen === undefined || !frozen.isAlive) {
      await this.start();
      depth = 0;
    } else {
      this.running = await frozen.fork();
      this.forks++;
      this.path.length = depth;
      refillPipes(this.running.pidfd, this.pipes[depth] ?? []);
      this.options.output?.rewind(this.outputs[depth] ?? emptyMark);
      try {
        this.shared[depth]?.restore(this.running.pid);
      } catch (e) {
        // A copy that died at once: the next step says how it ended.
        if (!(e instanceof ProcessGone)) throw e;
      }
    }
    // The search comes back to a state to take another step from it: it branches.
    this.freezeDue = this.checkpoints[this.path.length] === undefined;
    if (depth < path.length) {
      await replayFrom(this.current(), path, depth, this.path, this.counters);
      this.freezeDue = true;
    }
  }

  private usable(depth: number): boolean {
    return this.checkpoints[depth]?.isAlive ?? false;
  }

  /** Kills the checkpoints at `depth` and deeper, deepest first. */
  private killFrom(depth: number): void {
    for (let d = this.checkpoints.length - 1; d >= depth; d--) this.checkpoints[d]?.kill();
    this.checkpoints.length = Math.min(this.checkpoints.length, depth);
    this.pipes.length = Math.min(this.pipes.length, depth);
    this.outputs.length = Math.min(this.outputs.length, depth);
    for (let d = depth; d < this.shared.length; d++) this.shared[d]?.free();
    this.shared.length = Math.min(this.shared.length, depth);
  }

  close(): Promise<void> {
    this.options.output?.endExecution();
    this.dispose();
    this.store?.free();
    this.store = null;
    return Promise.resolve();
  }

  private dispose(): void {
    this.freeEngine();
    this.key = null;
    this.freezeDue = false;
    this.running?.kill();
    this.running = null;
    this.killFrom(0);
  }

  private current(): ProgramRun {
    if (this.running === null) throw new Error("internal: no running program");
    return this.running;
  }
}

/**
 * Only a point with two enabled steps or more can be come back to: a search backtracks to a
 * point to take another of its steps. Checkpoints elsewhere would never be used.
 */
export function branches(outcome: Outcome): boolean {
  if (outcome.kind !== "point") return false;
  // Counted, not listed: a random can offer millions of choices.
  let steps = 0;
  for (const t of outcome.point.transitions) {
    if (t.enabled && (steps += t.choices) > 1) return true;
  }
  return false;
}
