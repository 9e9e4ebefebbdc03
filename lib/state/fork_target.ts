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
 */

import { newCounters, type Outcome, type Target, type TargetCounters } from "../explore/target.ts";
import type { Step } from "../model/transition.ts";
import { deepestSaved, replayFrom, timed } from "./restore_path.ts";
import { type FdEntry, readPipes, refillPipes } from "./fds.ts";
import { closeFd } from "../native/process.ts";
import { openFdDir } from "../native/fds.ts";
import { ProgramRun } from "../process/program.ts";
import { ProcessGone, SharedImage } from "./native.ts";
import { emptyMark, type OutputMark } from "../process/output.ts";
import type { MutableNames, ProgramSpec, RunOptions } from "../process/spec.ts";

export interface ForkTargetOptions extends RunOptions {
  /** Most frozen processes kept at once (default 64). */
  readonly maxCheckpoints?: number;
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

  constructor(private readonly spec: ProgramSpec, private readonly options: ForkTargetOptions) {
    this.maxCheckpoints = options.maxCheckpoints ?? defaultMaxCheckpoints;
  }

  async start(): Promise<Outcome> {
    this.dispose();
    this.options.output?.rewind(emptyMark);
    const { run, first } = await ProgramRun.start(
      this.spec,
      { ...this.options, stateful: true },
      this.names,
    );
    this.running = run;
    this.counters.restarts++;
    this.path = [];
    if (first.kind === "point" && branches(first)) await this.checkpoint();
    return first;
  }

  async execute(step: Step): Promise<Outcome> {
    const outcome = await this.current().run([step], this.path.length);
    this.path.push(step);
    if (branches(outcome)) await this.checkpoint();
    return outcome;
  }

  /** Freezes the running process here, unless the budget of frozen processes is spent. */
  private async checkpoint(): Promise<void> {
    const live = this.checkpoints.filter((c) => c !== undefined).length;
    if (live >= this.maxCheckpoints) return;
    const frozen = this.current();
    this.pipes[this.path.length] = this.readPipes(frozen);
    const image = SharedImage.save(frozen.pid, frozen.hello?.ignored ?? []);
    if (image.pages > 0) this.shared[this.path.length] = image;
    else image.free();
    this.running = await frozen.fork();
    this.forks++;
    this.checkpoints[this.path.length] = frozen;
    // After FORKED: the runtime flushes stdio before it forks, so the files hold then what
    // the frozen process's buffers no longer do.
    this.outputs[this.path.length] = this.options.output?.mark();
  }

  private readPipes(run: ProgramRun): FdEntry[] {
    const dir = openFdDir(run.pid);
    try {
      // A copy holds as many descriptors of its own as the first process (its channel, and
      // its userfaultfd when the kernel gave one), at other numbers.
      return readPipes(run.pid, run.pidfd, dir, run.hello?.ownFds.length ?? 0);
    } finally {
      if (dir >= 0) closeFd(dir);
    }
  }

  restore(path: readonly Step[]): Promise<void> {
    return timed(this.counters, () => this.restoreTo(path));
  }

  private async restoreTo(path: readonly Step[]): Promise<void> {
    this.options.output?.endExecution();
    let depth = deepestSaved(path, this.path, (d) => this.usable(d));
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
    if (depth < path.length) {
      await replayFrom(this.current(), path, depth, this.path, this.counters);
      await this.checkpoint();
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
    return Promise.resolve();
  }

  private dispose(): void {
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
