/**
 * A real program restored from memory snapshots (`--restore=memory`): the program runs once,
 * the checker snapshots its memory from outside at points of the current path, and going back
 * to an earlier point writes back the pages that differ (after the runtime has remade any
 * mapping that came or went) and replays the steps from there. This module drives the search's
 * protocol (Target): which points to snapshot, running ahead, the ends of main, restores; what
 * the snapshots are is path_snapshots.ts's, reading and writing the process live_memory.ts's,
 * the continuation rule ahead_rule.ts's, state keys state_key.ts's.
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
import type { MutableNames, ProgramSpec } from "../process/spec.ts";
import type { AheadRule, StackInfo } from "../process/protocol.ts";
import { branches } from "./fork_target.ts";
import { deepestSaved, replayFrom, timed } from "./restore_path.ts";
import { KnownEnds } from "./known_ends.ts";
import { deadStacks, MemoryState, stateKey } from "./state_key.ts";
import { emptyMark } from "../process/output.ts";
import { Engine, type EngineStats, PageStore, ProcessGone, type TrackerKind } from "./native.ts";
import { PathSnapshots } from "./path_snapshots.ts";
import { LiveMemory } from "./live_memory.ts";
import { aheadRule } from "./ahead_rule.ts";
import { type AheadStats, type StateStats, stateStats } from "./state_stats.ts";
import { defaultSnapshotSpacing, type MemoryTargetOptions } from "./memory_options.ts";

export type { AheadStats, StateStats } from "./state_stats.ts";
export { defaultSnapshotSpacing, type MemoryTargetOptions } from "./memory_options.ts";
export { maxPathSnapshots } from "./path_snapshots.ts";
export { maxAheadSteps } from "./ahead_rule.ts";

export class MemoryTarget implements Target {
  readonly names: MutableNames = { actors: new Map(), objects: new Map() };
  readonly counters: TargetCounters = newCounters();
  private readonly store = new PageStore();
  private run: ProgramRun | null = null;
  /** The running program's memory and descriptors, as the snapshot engine sees them. */
  private memory: LiveMemory | null = null;
  /**
   * The steps from the initial state to the current one. The last `pending` of them are a
   * restore's replay that has not run yet: it goes with the next step, in one RUN.
   */
  private path: Step[] = [];
  private pending = 0;
  private readonly snaps: PathSnapshots;
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
  /** Restores whose replay went with the next step (RestoreStats.replaysJoined). */
  private replaysJoined = 0;
  /** Clean restores of the engines of earlier processes (RestoreStats.cleanRestores). */
  private cleanBefore = 0;
  /** The last step's outcome came from a batch (a RUN with a rule, or its reports). */
  private batched = false;
  /** After a timeout in a batch: no batch until the search leaves this execution. */
  private stepByStep = false;

  constructor(private readonly spec: ProgramSpec, private readonly options: MemoryTargetOptions) {
    this.paranoid = options.checkMaps ?? false;
    this.snaps = new PathSnapshots(
      options.snapshotSpacing ?? defaultSnapshotSpacing,
      (s) => this.memory?.engine.drop(s),
    );
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
    this.pending = 0;
    // A violation before the first choice leaves nothing to snapshot.
    if (first.kind === "violation" || !run.isAlive) {
      this.dispose();
      return first;
    }
    const hello = run.hello!;
    // Before the engine's first look: the copy starts as the reference copy did (alike.ts).
    if (this.startAlike !== null) makeAlike(this.copy()!, this.startAlike);
    const engine = new Engine(this.store, {
      pid: hello.pid,
      pidfd: hello.pidfd,
      uffd: hello.uffd,
      ignored: hello.ignored,
      tracker: this.options.tracker,
    });
    this.memory = new LiveMemory(engine, run, this.paranoid);
    this.trackerKind = engine.tracker;
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
    // A restore's replay, if one is pending, goes first in the same RUN.
    const from = this.path.length - this.pending;
    const steps = this.pending === 0 ? [step] : [...this.path.slice(from), step];
    this.counters.replayedSteps += this.pending;
    this.pending = 0;
    const outcome = await run.run(steps, from, rule);
    this.path.push(step);
    this.settle(outcome);
    return outcome;
  }

  /**
   * The continuation rule for a step about to run from depth path.length (ahead_rule.ts); none
   * when every state is hashed (each must be snapshotted).
   */
  private aheadRule(hint: AheadHint): AheadRule | undefined {
    if (this.keyEveryState) return undefined;
    const depth = this.path.length;
    return aheadRule(hint, depth, this.snaps.deepest(depth), this.snaps.spacing);
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
    if (drained.mapsChanged) this.memory?.mapsChanged();
  }

  /**
   * At a final point: how the rest of main ends from this state if an earlier execution ran
   * it from an equal one; otherwise null, and the end runs (FINISH).
   */
  private knownEnd(): Outcome | null {
    // A lookup (bringing the engine's view up to date and a hash) costs a fraction of a run (a
    // fork, ~220 µs, bench/README.md). It is done every time: a depth-first search meets its
    // distinct final states first and the repeated ones later (lastzero(10): 512 distinct
    // ends, none repeated among the first 256), so stopping after a poor start loses the reuse.
    return this.knownEnds.lookup(this.options.runEveryEnd === true ? null : this.finalKey());
  }

  /** The key of the final state the program is at: its memory, all stacks dead, and fds. */
  private finalKey(): string | null {
    if (this.memory === null || this.run === null) return null;
    try {
      return this.memory.finalKey(this.run.stacks);
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
    if (this.run?.mapsChanged) this.memory?.mapsChanged();
    if (outcome.kind === "violation" || this.run === null || !this.run.isAlive) {
      this.dispose();
      return;
    }
    if (!this.keyEveryState && !this.worthSnapshot(outcome)) return;
    // The rule stops the program where a snapshot is due (aheadRule): it is here.
    if (this.run.runsAhead) throw new InternalError("internal: a snapshot point run past");
    const depth = this.path.length;
    if (this.keyEveryState) {
      this.snaps.dropTransient(this.transient, depth);
      this.transient = -1;
    }
    const stacks: readonly StackInfo[] = outcome.kind === "point"
      ? this.run.stacks
      // Every actor has finished: every stack is dead.
      : deadStacks(this.run.stacks);
    try {
      const saved = this.memory!.save(this.options.output);
      this.viewFresh = true;
      this.snaps.put(depth, saved);
      if (this.keyEveryState) this.transient = depth;
      // Descriptors are state too (offsets, pipe contents): equal memory is not enough.
      if (this.keyEveryState) {
        const { key, fds: text } = stateKey(this.memory!.engine, stacks, saved.fds);
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
   * Whether to snapshot this point (when states are not compared): only where the search can
   * come back (a branching point), and only if no snapshot is less than `snapshotSpacing`
   * steps above it on the path.
   */
  private worthSnapshot(outcome: Outcome): boolean {
    return branches(outcome) && !this.snaps.near(this.path.length);
  }

  /**
   * The current state itself (--exact-compare): its snapshot, kept beyond the program's life,
   * with its stacks and descriptors; null when unknown.
   */
  exactState(): ExactState | null {
    const saved = this.snaps.at(this.path.length);
    if (this.key === null || saved === undefined) return null;
    return new MemoryState(
      this.store,
      this.store.keep(saved.snapshot),
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
    // Replays are joined to the next step only when states are not hashed (restoreTo), and
    // the liveness search, which reads propositions, hashes every state.
    if (this.pending > 0) throw new InternalError("internal: propositions read before a replay");
    if (this.memory === null || this.run === null || !this.run.isAlive) return null;
    try {
      this.values = this.props.read(this.memory.engine, this.viewFresh);
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
    // A replay still pending never ran: the program stands where it started.
    this.path.length -= this.pending;
    this.pending = 0;
    await this.catchUp();
    if (leaving) {
      this.options.output?.endExecution();
      this.stepByStep = false;
    }
    this.key = null;
    this.values = null;
    // Snapshots are valid along the recorded path only.
    let depth = deepestSaved(path, this.path, (d) => this.snaps.has(d), known);
    if (!(await this.restoreSnapshot(depth))) {
      await this.start();
      depth = 0;
    }
    // A state restored to keeps its snapshot: the search comes back there for its other steps.
    this.transient = -1;
    if (depth === path.length) return;
    // The replay goes with the next step (one RUN, not two) when the state it leads to would
    // not be snapshotted anyway (one is less than the spacing above it) and nothing needs that
    // state before the step: no state is hashed, no batch timed out.
    const join = this.options.joinReplays ?? false;
    if (join && !this.keyEveryState && !this.stepByStep && this.snaps.near(path.length)) {
      this.path.push(...path.slice(depth));
      this.pending = path.length - depth;
      this.replaysJoined++;
      return;
    }
    // When states are hashed (a depth-first search over a deep path), a long replay leaves a
    // snapshot every `snapshotSpacing` steps: the search's next restores are to the states just
    // above this one, and each then replays a few steps, not the whole gap again (gaps grow to
    // thousands of steps on a path thinned to maxPathSnapshots).
    const segment = this.keyEveryState ? this.snaps.spacing : Infinity;
    while (depth < path.length) {
      const end = Math.min(path.length, depth + segment);
      this.settle(await replayFrom(this.current(), path, depth, this.path, this.counters, end));
      this.transient = -1;
      depth = end;
    }
  }

  /** Brings the live program back to the snapshot at `depth`; false when it cannot. */
  private async restoreSnapshot(depth: number): Promise<boolean> {
    const saved = this.snaps.at(depth);
    if (this.run === null || !this.run.isAlive || this.memory === null || saved === undefined) {
      return false;
    }
    try {
      await this.memory.restore(saved, this.options.output);
      this.viewFresh = true;
    } catch (e) {
      if (e instanceof ProcessGone) return false;
      throw e;
    }
    this.snaps.dropFrom(depth + 1);
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
    const live = this.memory === null ? [] : [this.memory.engine.stats()];
    return stateStats(
      this.trackerKind,
      [...this.finished, ...live],
      this.store.stats(),
      this.knownEnds.stats(),
      this.ahead,
      {
        replaysJoined: this.replaysJoined,
        cleanRestores: this.cleanBefore + (this.memory?.cleanRestores ?? 0),
      },
    );
  }

  private current(): ProgramRun {
    if (this.run === null) throw new Error("internal: no running program");
    return this.run;
  }

  private dispose(): void {
    this.snaps.dropFrom(0);
    if (this.memory !== null) {
      this.cleanBefore += this.memory.cleanRestores;
      this.finished.push(this.memory.free());
      this.memory = null;
    }
    this.run?.kill();
    this.run = null;
    this.pending = 0;
  }
}
