/**
 * A real program as an exploration target, restored by re-execution (`--restore=replay`): to
 * go back to an earlier state, start the program again and replay the path to it. The replay
 * is lazy and batched: restore() only remembers the path, and the next execute() sends the
 * whole path plus the new step in one RUN frame, so a restore costs one process start and one
 * round trip whatever its depth.
 */

import type { Step } from "../model/transition.ts";
import { newCounters, type Outcome, type Target, type TargetCounters } from "../explore/target.ts";
import { ProgramRun } from "./program.ts";
import type { MutableNames, ProgramSpec, RunOptions } from "./spec.ts";
import { emptyMark } from "./output.ts";

export class ReplayTarget implements Target {
  readonly names: MutableNames = { actors: new Map(), objects: new Map() };
  readonly counters: TargetCounters = newCounters();
  private run: ProgramRun | null = null;
  /** Set by restore(): the path to replay before the next step. */
  private pending: readonly Step[] | null = null;

  constructor(private readonly spec: ProgramSpec, private readonly options: RunOptions) {}

  async start(): Promise<Outcome> {
    this.pending = null;
    return await this.restart();
  }

  private async restart(): Promise<Outcome> {
    this.run?.kill();
    this.run = null;
    // Each run starts with empty output files: they hold one execution's output.
    this.options.output?.rewind(emptyMark);
    const { run, first } = await ProgramRun.start(this.spec, this.options, this.names);
    this.run = run;
    this.counters.restarts++;
    return first;
  }

  async execute(step: Step): Promise<Outcome> {
    if (this.pending !== null) {
      const path = this.pending;
      this.pending = null;
      const t0 = performance.now();
      await this.restart();
      this.counters.replayedSteps += path.length;
      const outcome = await this.current().run([...path, step]);
      // The restore is the restart and the replayed path; the new step rides along.
      this.counters.restores++;
      this.counters.restoreSeconds += (performance.now() - t0) / 1000;
      return outcome;
    }
    return await this.current().run([step]);
  }

  restore(path: readonly Step[]): Promise<void> {
    this.options.output?.endExecution();
    this.run?.kill();
    this.run = null;
    this.pending = [...path];
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.options.output?.endExecution();
    this.run?.kill();
    this.run = null;
    return Promise.resolve();
  }

  private current(): ProgramRun {
    if (this.run === null) throw new Error("internal: execute() with no running program");
    return this.run;
  }
}
