/**
 * The worker's target as a job sees it: each job starts from the program's initial state
 * restored rather than a new program (JobStarts), and a subtree's search sees the target from
 * the job's node, its paths relative to it (SubTarget). Pure over Target, as run_job.ts.
 */

import type { Outcome, Target } from "../explore/target.ts";
import { ForwardingTarget } from "../explore/forwarding_target.ts";
import type { Step } from "../model/transition.ts";

/**
 * How a worker's jobs start: its program is started once, and each later job begins from the
 * initial state restored (a restore to the empty path: a snapshot, a checkpoint's fork) instead
 * of a new program (a fork, an exec, the runtime's handshake: most of a small job's time,
 * bench/README.md). The initial state is the same in every run of the program (the sequential
 * search relies on it too), so its outcome is kept.
 */
export class JobStarts {
  private first: Outcome | null = null;

  constructor(private readonly target: Target) {}

  /** Whether the next start() starts the program (rather than restoring its initial state). */
  get fresh(): boolean {
    return this.first === null || this.first.kind !== "point";
  }

  async start(): Promise<Outcome> {
    if (this.first === null || this.first.kind !== "point") {
      this.first = await this.target.start();
      return this.first;
    }
    await this.target.restore([]);
    return this.first;
  }
}

/**
 * The target seen from a job's node: its start is the node (reached by the prefix), and paths
 * are relative to it. The first start finds the target there already.
 */
export class SubTarget extends ForwardingTarget {
  private fresh = true;

  constructor(
    inner: Target,
    private readonly prefix: readonly Step[],
    private readonly at: Outcome,
  ) {
    super(inner);
  }

  override async start(): Promise<Outcome> {
    if (!this.fresh) await this.inner.restore(this.prefix);
    this.fresh = false;
    return this.at;
  }

  override restore(path: readonly Step[]): Promise<void> {
    return this.inner.restore([...this.prefix, ...path]);
  }

  /** The worker's target outlives the job: it is closed with the worker. */
  override close(): Promise<void> {
    return Promise.resolve();
  }
}
