/**
 * A real program restored from memory snapshots (`--restore=memory`): the program runs once,
 * the checker snapshots its memory from outside at every point of the current path, and going
 * back to an earlier point writes back the pages that differ (after the runtime has remade any
 * mapping that came or went). Each point also gets a state hash — its memory without the dead
 * parts of the stacks — so the search can recognise states it has already explored.
 *
 * When the program is gone (a violation killed it, a timeout) the next restore starts it again
 * and replays the path from the nearest snapshot it still has: the initial state.
 *
 * The propositions (isomc_prop) and the progress flag (isomc_progress) are read from the
 * program's memory in each state, for the liveness search (lib/state/propositions.ts).
 */

import {
  type AheadHint,
  type ExactState,
  newCounters,
  type Outcome,
  type PropositionValues,
  type Target,
  type TargetCounters,
} from "../explore/target.ts";
import { PropRegistry, type PropValues } from "./propositions.ts";
import { type Copy, makeAlike, type StartWords } from "./alike.ts";
import type { Step } from "../model/transition.ts";
import { InternalError } from "../errors.ts";
import { ProgramRun } from "../process/program.ts";
import type { MutableNames, ProgramSpec, RunOptions } from "../process/spec.ts";
import type { AheadRule, StackInfo } from "../process/protocol.ts";
import { branches } from "./fork_target.ts";
import { deepestSaved, replayFrom, timed } from "./restore_path.ts";
import { type EndStats, KnownEnds } from "./known_ends.ts";
import { checkReopenable, fdChanges, type FdEntry, readFdTable, refillPipes } from "./fds.ts";
import { deadStacks, endKey, MemoryState, stateKey } from "./state_key.ts";
import { closeFd } from "../native/process.ts";
import { emptyMark, type OutputMark } from "../process/output.ts";
import { openFdDir } from "../native/fds.ts";
import {
  Engine,
  type EngineStats,
  PageStore,
  ProcessGone,
  type Snapshot,
  type TrackerKind,
} from "./native.ts";

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
}

/**
 * A snapshot costs about as much as four or five steps replayed in one RUN (bench/README.md),
 * and most snapshots are never restored: one every 8 steps made the DPOR benchmarks 20-30%
 * faster than one at every branching point, and changed nothing measurable on the deep and
 * large-heap ones.
 */
export const defaultSnapshotSpacing = 8;

/**
 * The most snapshots kept on the path. A snapshot costs memory per mapping of the program (5,000
 * actors: about 360 KB), so one every few steps of a deep path would grow with depth times
 * actors; beyond this many, the upper half of the path loses every other snapshot (see thin).
 */
export const maxPathSnapshots = 256;

/**
 * The most steps a program runs ahead on its own in one batch (a RUN's continuation rule):
 * enough that a batch almost always stops for a reason of its own (a snapshot point, the end),
 * few enough that a program that runs forever comes back to the checker's bounds soon.
 */
export const maxAheadSteps = 4096;

/** What running ahead did (docs/protocol.md, "Running ahead"). */
export interface AheadStats {
  /** RUNs sent with a continuation rule, and the steps served from their reports. */
  aheadBatches: number;
  aheadSteps: number;
  /** Steps the search took other than the one the program ran ahead with (each a restore). */
  mispredictions: number;
}

/** What the snapshot engine did, summed over every program process of a check. */
export interface StateStats extends EndStats, AheadStats {
  tracker: TrackerKind | "unknown";
  snapshots: number;
  restores: number;
  pagesRead: number;
  pagesWritten: number;
  bytesRead: number;
  bytesWritten: number;
  mapsReads: number;
  snapshotSeconds: number;
  restoreSeconds: number;
  /** Distinct pages in the page store now, and pages stored per snapshot taken (dedup). */
  storePages: number;
  storePeakPages: number;
  storeDeduplicated: number;
  storeInterned: number;
}

export class MemoryTarget implements Target {
  readonly names: MutableNames = { actors: new Map(), objects: new Map() };
  readonly counters: TargetCounters = newCounters();
  private readonly store = new PageStore();
  private run: ProgramRun | null = null;
  private engine: Engine | null = null;
  /** The steps from the initial state to the current one. */
  private path: Step[] = [];
  /** snapshots[d]: the state after the first d steps of `path`. */
  private snapshots: (Snapshot | undefined)[] = [];
  /** How many of `snapshots` are set. */
  private liveSnapshots = 0;
  /** fdTables[d]: the fd table that goes with snapshots[d]. */
  private fdTables: (FdEntry[] | undefined)[] = [];
  /** outputs[d]: the sizes of the program's output files at snapshots[d]. */
  private outputs: (OutputMark | undefined)[] = [];
  private key: bigint | null = null;
  /** The stacks the key was computed with (their dead parts left out). */
  private keyStacks: readonly StackInfo[] = [];
  /** The fd table the key was computed with, as fdTableKey text. */
  private keyFds = "";
  private readonly finished: EngineStats[] = [];
  private trackerKind: TrackerKind | "unknown" = "unknown";
  /** Snapshot every state (for state keys), not only those the search can come back to. */
  keyEveryState = false;
  /** The words every new copy takes from a reference copy (a parallel --visited, alike.ts). */
  startAlike: StartWords | null = null;
  /** The running program reports its stacks at every point (it started with keyEveryState). */
  private stacksReported = false;
  private readonly snapshotSpacing: number;
  /** The program's /proc/PID/fd, open while it runs. */
  private fdDir = -1;
  /** The program may have mapped or unmapped memory since the engine last read its maps. */
  private mapsStale = true;
  /** Re-read the program's maps at every snapshot and restore (ISOMC_CHECK_MAPS=1). */
  private readonly paranoid: boolean;
  private readonly knownEnds = new KnownEnds();
  private readonly props = new PropRegistry();
  /** The propositions' values in the current state, once read. */
  private values: PropValues | null = null;
  /** The engine's view is the program's memory now (a snapshot or restore since it ran). */
  private viewFresh = false;
  /** The depth of the last state hashed, whose snapshot may go once the path moves on. */
  private transient = -1;
  private readonly ahead: AheadStats = { aheadBatches: 0, aheadSteps: 0, mispredictions: 0 };
  /** The last step's outcome came from a batch (a RUN with a rule, or its reports). */
  private batched = false;
  /** After a timeout in a batch: no batch until the search leaves this execution. */
  private stepByStep = false;

  constructor(private readonly spec: ProgramSpec, private readonly options: MemoryTargetOptions) {
    this.paranoid = options.checkMaps ?? false;
    this.snapshotSpacing = options.snapshotSpacing ?? defaultSnapshotSpacing;
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
        knownEnd: () => this.knownEnd(),
        props: this.props,
      },
      this.names,
    );
    this.run = run;
    this.stacksReported = this.keyEveryState;
    this.counters.restarts++;
    this.path = [];
    // A violation before the first choice leaves nothing to snapshot.
    if (first.kind === "violation" || !run.isAlive) {
      this.dispose();
      return first;
    }
    const hello = run.hello!;
    // Before the engine's first look: the copy starts as the reference copy did (alike.ts).
    if (this.startAlike !== null) makeAlike(this.copy()!, this.startAlike);
    this.engine = new Engine(this.store, {
      pid: hello.pid,
      pidfd: hello.pidfd,
      uffd: hello.uffd,
      ignored: hello.ignored,
      tracker: this.options.tracker,
    });
    this.trackerKind = this.engine.tracker;
    this.settle(first);
    return first;
  }

  async execute(step: Step, ahead?: AheadHint): Promise<Outcome> {
    const outcome = await this.executeOnce(step, this.stepByStep ? undefined : ahead);
    if (!this.batched || outcome.kind !== "violation" || outcome.violation.kind !== "timeout") {
      return outcome;
    }
    // The runtime holds a batch's reports back for up to a millisecond (one write for many,
    // docs/protocol.md "Running ahead"), so a later step that hangs can hold back the point
    // this step led to: the timeout may be another step's. The execution goes again to here,
    // and on step by step, one RUN each, so that the timeout comes at the step that hangs.
    this.stepByStep = true;
    const before = this.path.slice(0, -1);
    await timed(this.counters, () => this.restoreTo(before, 0, false));
    return await this.executeOnce(step, undefined);
  }

  private async executeOnce(step: Step, ahead?: AheadHint): Promise<Outcome> {
    this.batched = false;
    let run = this.current();
    if (run.runsAhead) {
      const predicted = run.aheadStep();
      if (predicted.actor === step.actor && predicted.choice === step.choice) {
        this.batched = true;
        this.viewFresh = false;
        this.ahead.aheadSteps++;
        const outcome = await run.next();
        this.path.push(step);
        this.settle(outcome);
        return outcome;
      }
      // The search chose otherwise: back to the point it chose at, within this execution.
      this.ahead.mispredictions++;
      await timed(this.counters, () => this.restoreTo(this.path.slice(), this.path.length, false));
      run = this.current();
    }
    this.viewFresh = false;
    const rule = ahead === undefined ? undefined : this.aheadRule(ahead);
    if (rule !== undefined) this.ahead.aheadBatches++;
    this.batched = rule !== undefined;
    const outcome = await run.run([step], this.path.length, rule);
    this.path.push(step);
    this.settle(outcome);
    return outcome;
  }

  /**
   * The continuation rule for a step about to run from depth path.length: the search's
   * forecast (its known steps, then its rule), stopped where this target would snapshot (the first branching point no closer
   * than snapshotSpacing below the deepest snapshot: worthSnapshot's test), so that running
   * ahead snapshots exactly the states a step-by-step search would. None when every state is
   * hashed (each must be snapshotted) or when the depth bound leaves no step.
   */
  private aheadRule(hint: AheadHint): AheadRule | undefined {
    if (this.keyEveryState) return undefined;
    const depth = this.path.length;
    const room = hint.maxDepth - depth - 1;
    if (room < 1) return undefined;
    let deepest = -1;
    for (let d = Math.min(depth, this.snapshots.length - 1); d >= 0; d--) {
      if (this.snapshots[d] !== undefined) {
        deepest = d;
        break;
      }
    }
    // Known steps first (a wakeup sequence), then the rule unless the hint has none.
    let maxSteps = Math.min(maxAheadSteps, room);
    const known = (hint.steps ?? []).slice(0, maxSteps);
    if (hint.asleep === null) maxSteps = known.length;
    if (maxSteps < 1) return undefined;
    return {
      maxSteps,
      branchStop: deepest < 0 ? 0 : deepest + this.snapshotSpacing,
      asleep: hint.asleep ?? [],
      known,
    };
  }

  /**
   * The program ran ahead of the state the target stands at: read what it did up to where it
   * waits, so that its path is known again (the snapshots on it stay valid). A program that
   * ended on the way (a violation, a crash) is let go: the restore then starts it again.
   */
  private async catchUp(): Promise<void> {
    const run = this.run;
    if (run === null || !run.runsAhead) return;
    const drained = await run.drain();
    if (drained === null) {
      this.dispose();
      return;
    }
    this.path.push(...drained.steps);
    if (drained.mapsChanged) this.mapsStale = true;
  }

  /**
   * At a final point: how the rest of main ends from this state if an earlier execution ran
   * it from an equal one; otherwise null, and the end runs (FINISH).
   */
  private knownEnd(): Outcome | null {
    // A lookup (a snapshot and a hash, ~30 µs) costs about a seventh of a run (a fork, ~220
    // µs, bench/README.md). It is done every time: a depth-first search meets its distinct
    // final states first and the repeated ones later (lastzero(10): 512 distinct ends, none
    // repeated among the first 256), so stopping after a poor start loses the reuse.
    return this.knownEnds.lookup(this.options.runEveryEnd === true ? null : this.finalKey());
  }

  /** The key of the final state the program is at: its memory, all stacks dead, and fds. */
  private finalKey(): string | null {
    if (this.engine === null || this.run === null) return null;
    try {
      const snap = this.engine.snapshot(this.paranoid || this.mapsStale || this.run.mapsChanged);
      this.mapsStale = false;
      const key = endKey(this.engine, this.run.stacks, this.readFds());
      this.engine.drop(snap);
      return key;
    } catch (e) {
      if (!(e instanceof ProcessGone)) throw e;
      return null;
    }
  }

  /** After an outcome: snapshot a live program, let go of a dead one. */
  private settle(outcome: Outcome): void {
    this.key = null;
    this.values = null;
    this.viewFresh = false;
    this.knownEnds.settle(outcome);
    // Mapping changes between two snapshots must not be forgotten by the next one. The rest
    // of main does not count: it runs in a forked copy, or not at all.
    if (this.run?.mapsChanged) this.mapsStale = true;
    if (outcome.kind === "violation" || this.run === null || !this.run.isAlive) {
      this.dispose();
      return;
    }
    if (!this.keyEveryState && !this.worthSnapshot(outcome)) return;
    // The rule stops the program where a snapshot is due (aheadRule): it is here.
    if (this.run.runsAhead) throw new InternalError("internal: a snapshot point run past");
    if (this.keyEveryState) this.dropTransient();
    const stacks: readonly StackInfo[] = outcome.kind === "point"
      ? this.run.stacks
      // Every actor has finished: every stack is dead.
      : deadStacks(this.run.stacks);
    try {
      // The runtime flags mapping changes it made or saw; the paranoid mode re-reads the
      // maps every time.
      const mapsChanged = this.paranoid || this.mapsStale;
      const snap = this.engine!.snapshot(mapsChanged);
      this.mapsStale = false;
      this.viewFresh = true;
      this.snapshots[this.path.length] = snap;
      this.liveSnapshots++;
      if (this.keyEveryState) this.transient = this.path.length;
      const fds = this.readFds();
      this.fdTables[this.path.length] = fds;
      this.outputs[this.path.length] = this.options.output?.mark();
      this.thin();
      // Descriptors are state too (offsets, pipe contents): equal memory is not enough.
      if (this.keyEveryState) {
        const { key, fds: text } = stateKey(this.engine!, stacks, fds);
        this.key = key;
        this.keyFds = text;
        this.keyStacks = stacks;
      }
    } catch (e) {
      if (!(e instanceof ProcessGone)) throw e;
      this.dispose();
    }
  }

  /**
   * Hashing takes a snapshot of every state, but one is kept only where it is worth it: the
   * snapshot of the state just left (one step above the new one) goes unless no other is
   * less than `snapshotSpacing` steps above it. A restore then replays fewer steps than that
   * from the nearest (unless thinning spaced them further); a state restored to keeps its snapshot (the search comes back there to
   * try its other steps). Keeping every one cost about 12 KB per state of the path
   * (its copy-on-write chunks of page ids), and the count cap then thinned them to gaps of
   * thousands of steps on a deep path (bench/README.md, "Liveness on real programs").
   */
  private dropTransient(): void {
    const d = this.transient;
    this.transient = -1;
    if (d <= 0 || d !== this.path.length - 1 || this.snapshots[d] === undefined) return;
    for (let up = d - 1; up > d - this.snapshotSpacing && up >= 0; up--) {
      if (this.snapshots[up] !== undefined) {
        this.dropAt(d);
        return;
      }
    }
  }

  /**
   * Whether to snapshot this point (when states are not compared): only where the search can
   * come back (a branching point), and only if no snapshot is less than `snapshotSpacing`
   * steps above it on the path.
   */
  private worthSnapshot(outcome: Outcome): boolean {
    if (!branches(outcome)) return false;
    const depth = this.path.length;
    for (let d = depth - 1; d > depth - this.snapshotSpacing && d >= 0; d--) {
      if (this.snapshots[d] !== undefined) return false;
    }
    return true;
  }

  /**
   * The current state itself (--exact-compare): its snapshot, kept beyond the program's life,
   * with its stacks and descriptors; null when unknown.
   */
  exactState(): ExactState | null {
    const snap = this.snapshots[this.path.length];
    if (this.key === null || snap === undefined) return null;
    return new MemoryState(
      this.store,
      this.store.keep(snap),
      this.keyStacks,
      this.keyFds,
    );
  }

  /**
   * Hashes for the states reached from now on (after a restore: the state restored). A run
   * started without stacks (the runtime sends them only when the handshake asked) cannot
   * hash: it is let go, and the restore starts the program again and replays the path.
   */
  hashStates(on: boolean): boolean {
    this.keyEveryState = on;
    if (on && this.run !== null && !this.stacksReported) this.dispose();
    return true;
  }

  /** The running copy (its pid and the runtime's own memory), if any: for alike.ts. */
  copy(): Copy | null {
    const run = this.run;
    if (run === null || !run.isAlive || run.hello === null) return null;
    return { pid: run.hello.pid, ignored: run.hello.ignored, randomFixed: run.randomFixed };
  }

  /** The hash of the current state, for the search's visited set; null when unknown. */
  stateHash(): bigint | null {
    return this.key;
  }

  /** The propositions the program registered and their values now; null with no program. */
  propositions(): PropositionValues | null {
    const values = this.currentValues();
    return values === null ? null : { names: this.props.names, values: values.props };
  }

  /** Whether the step into the current state passed isomc_progress(). */
  progressed(): boolean {
    return this.currentValues()?.progress ?? false;
  }

  private currentValues(): PropValues | null {
    if (this.values !== null) return this.values;
    if (this.run?.runsAhead) throw new InternalError("internal: propositions read ahead");
    if (this.engine === null || this.run === null || !this.run.isAlive) return null;
    try {
      this.values = this.props.read(this.engine, this.viewFresh);
    } catch (e) {
      if (!(e instanceof ProcessGone)) throw e;
      return null;
    }
    return this.values;
  }

  restore(path: readonly Step[], known = 0): Promise<void> {
    return timed(this.counters, () => this.restoreTo(path, known, true));
  }

  /** `leaving`: the search leaves the current execution (not so for a misprediction). */
  private async restoreTo(path: readonly Step[], known: number, leaving: boolean): Promise<void> {
    await this.catchUp();
    if (leaving) {
      this.options.output?.endExecution();
      this.stepByStep = false;
    }
    this.key = null;
    this.values = null;
    // Snapshots are valid along the recorded path only.
    let depth = deepestSaved(path, this.path, (d) => this.snapshots[d] !== undefined, known);
    if (!(await this.restoreSnapshot(this.snapshots[depth], depth))) {
      await this.start();
      depth = 0;
    }
    // A state restored to keeps its snapshot: the search comes back there for its other steps.
    this.transient = -1;
    // When states are hashed (a depth-first search over a deep path), a long replay leaves a
    // snapshot every `snapshotSpacing` steps: the search's next restores are to the states just
    // above this one, and each then replays a few steps, not the whole gap again (gaps grow to
    // thousands of steps on a path thinned to maxPathSnapshots).
    const segment = this.keyEveryState ? this.snapshotSpacing : Infinity;
    while (depth < path.length) {
      const end = Math.min(path.length, depth + segment);
      this.settle(await replayFrom(this.current(), path, depth, this.path, this.counters, end));
      this.transient = -1;
      depth = end;
    }
  }

  /** Brings the live program back to `snap`; false when there is no live program to use. */
  private async restoreSnapshot(snap: Snapshot | undefined, depth: number): Promise<boolean> {
    if (this.run === null || !this.run.isAlive || this.engine === null || snap === undefined) {
      return false;
    }
    try {
      const reread = this.paranoid || this.mapsStale;
      const ops = this.engine.plan(snap, reread);
      if (ops.length > 0) await this.run.map(ops);
      // plan() brought the engine's view up to date when it re-read the maps.
      this.engine.restore(snap, this.paranoid || ops.length > 0);
      this.mapsStale = false;
      this.viewFresh = true;
      const want = this.fdTables[depth] ?? [];
      const changes = fdChanges(this.readFds(false), want);
      checkReopenable(changes);
      if (changes.length > 0) await this.run.fds(changes);
      refillPipes(this.run.hello!.pidfd, want);
      // The output files go back with the memory (the stdio buffers are in it).
      this.options.output?.rewind(this.outputs[depth] ?? emptyMark);
    } catch (e) {
      if (e instanceof ProcessGone) return false;
      throw e;
    }
    this.dropFrom(depth + 1);
    this.path.length = depth;
    return true;
  }

  close(): Promise<void> {
    this.options.output?.endExecution();
    this.dispose();
    this.store.free();
    return Promise.resolve();
  }

  /** The snapshot engine's work so far. */
  stateStats(): StateStats {
    const all = [...this.finished, ...(this.engine === null ? [] : [this.engine.stats()])];
    const sum = (f: (s: EngineStats) => number): number => all.reduce((a, s) => a + f(s), 0);
    const store = this.store.stats();
    return {
      tracker: this.trackerKind,
      snapshots: sum((s) => s.snapshots),
      restores: sum((s) => s.restores),
      pagesRead: sum((s) => s.pagesRead),
      pagesWritten: sum((s) => s.pagesWritten),
      bytesRead: sum((s) => s.bytesRead),
      bytesWritten: sum((s) => s.bytesWritten),
      mapsReads: sum((s) => s.mapsReads),
      snapshotSeconds: sum((s) => s.syncSeconds),
      restoreSeconds: sum((s) => s.restoreSeconds),
      ...this.knownEnds.stats(),
      ...this.ahead,
      storePages: store.pages,
      storePeakPages: store.peakPages,
      storeDeduplicated: store.deduplicated,
      storeInterned: store.interned,
    };
  }

  private current(): ProgramRun {
    if (this.run === null) throw new Error("internal: no running program");
    return this.run;
  }

  private readFds(contents = true): FdEntry[] {
    const run = this.current();
    if (this.fdDir < 0) this.fdDir = openFdDir(run.hello!.pid);
    const hello = run.hello!;
    return readFdTable(hello.pid, hello.pidfd, this.fdDir, new Set(hello.ownFds), contents);
  }

  /**
   * Keeps at most maxPathSnapshots snapshots: past that, every other one of the upper half of
   * the path (the initial state's aside) goes. A depth-first search comes back mostly near the
   * bottom of its path, where snapshots stay dense; going back higher replays the steps from
   * the nearest snapshot above, which thinning after thinning spaces further apart the higher
   * they are.
   */
  private thin(): void {
    if (this.liveSnapshots <= maxPathSnapshots) return;
    const depths: number[] = [];
    for (let d = 1; d < this.snapshots.length; d++) {
      if (this.snapshots[d] !== undefined) depths.push(d);
    }
    const upper = depths.slice(0, Math.floor(depths.length / 2));
    for (let k = 0; k < upper.length; k += 2) this.dropAt(upper[k]);
  }

  private dropAt(d: number): void {
    this.engine?.drop(this.snapshots[d]!);
    this.snapshots[d] = undefined;
    this.fdTables[d] = undefined;
    this.outputs[d] = undefined;
    this.liveSnapshots--;
  }

  private dropFrom(depth: number): void {
    for (let d = depth; d < this.snapshots.length; d++) {
      const s = this.snapshots[d];
      if (s !== undefined) {
        this.engine?.drop(s);
        this.liveSnapshots--;
      }
    }
    this.snapshots.length = Math.min(this.snapshots.length, depth);
    this.fdTables.length = Math.min(this.fdTables.length, depth);
    this.outputs.length = Math.min(this.outputs.length, depth);
  }

  private dispose(): void {
    this.dropFrom(0);
    if (this.engine !== null) {
      this.finished.push(this.engine.stats());
      this.engine.free();
      this.engine = null;
    }
    if (this.fdDir >= 0) closeFd(this.fdDir);
    this.fdDir = -1;
    this.run?.kill();
    this.run = null;
  }
}
