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
 *
 * With `reuse`, a job whose prefix shares its first steps with the last job's begins there
 * instead: the outcomes along the last prefix are kept (each is a function of the steps that
 * lead to it: the program is deterministic, as every restore assumes), and the target is
 * either still at the last prefix's end (the last job was a probe: the next probe one level
 * down executes one step) or on a path that extends it (the last job searched below it), from
 * where a restore to the shared steps is one the target knows (a snapshot on its own path).
 * What the job computes from the outcomes (sleep set, events) is computed again, so its answer
 * is the one a start from the initial state gives (docs/parallel.md, "What a job costs").
 */
export class JobStarts {
  private first: Outcome | null = null;
  /**
   * The last job's prefix and the outcomes along it (`outcomes[k]`: after its first k steps),
   * and whether the target still stands at its end; null when nothing is known (a job that
   * failed, was stopped, or ended inside its prefix: the next starts from the initial state).
   */
  private kept: { prefix: readonly Step[]; outcomes: readonly Outcome[]; at: boolean } | null =
    null;
  /** How the last begin() began (the cost log, job_costs.ts). */
  began: "fresh" | "initial" | "continued" | "restored" = "fresh";
  /** Jobs begun where the last one left the target: still there, or by a restore. */
  continued = 0;
  restored = 0;

  constructor(private readonly target: Target, private readonly reuse = false) {}

  /** Whether the next start() starts the program (rather than restoring its initial state). */
  get fresh(): boolean {
    return this.first === null || this.first.kind !== "point";
  }

  async start(): Promise<Outcome> {
    this.kept = null;
    if (this.first === null || this.first.kind !== "point") {
      this.began = "fresh";
      this.first = await this.target.start();
      return this.first;
    }
    this.began = "initial";
    await this.target.restore([]);
    return this.first;
  }

  /**
   * Begins a job at `prefix`: the target stands after its first `outcomes.length - 1` steps,
   * and `outcomes[k]` is the outcome after its first k steps (at least the start's); the caller
   * executes the rest, then says reached() or forget().
   */
  async begin(prefix: readonly Step[]): Promise<readonly Outcome[]> {
    const kept = this.kept;
    this.kept = null;
    let shared = 0;
    if (this.reuse && kept !== null) {
      const most = Math.min(prefix.length, kept.prefix.length);
      while (
        shared < most && prefix[shared].actor === kept.prefix[shared].actor &&
        prefix[shared].choice === kept.prefix[shared].choice
      ) shared++;
    }
    if (kept === null || shared === 0) return [await this.start()];
    if (kept.at && shared === kept.prefix.length) {
      this.began = "continued";
      this.continued++;
    } else {
      // A restore goes to a point (target.ts): a prefix that ended the execution is walked
      // again from the step before.
      if (kept.outcomes[shared].kind !== "point") shared--;
      if (shared === 0) return [await this.start()];
      this.began = "restored";
      this.restored++;
      // The target's path extends the kept prefix (a search below it only goes deeper).
      await this.target.restore(prefix.slice(0, shared), shared);
    }
    return kept.outcomes.slice(0, shared + 1);
  }

  /** The job walked `prefix` whole (`outcomes` along it) and the target stands at its end. */
  reached(prefix: readonly Step[], outcomes: readonly Outcome[]): void {
    if (outcomes.length !== prefix.length + 1) throw new Error("internal: outcomes of a prefix");
    this.kept = { prefix, outcomes, at: true };
  }

  /** The job's search leaves the prefix's end, for paths that extend it. */
  moved(): void {
    if (this.kept !== null) this.kept = { ...this.kept, at: false };
  }

  /** Where the target stands is not known: the next job starts from the initial state. */
  forget(): void {
    this.kept = null;
  }
}

/**
 * The target seen from a job's node: its start is the node (reached by the prefix), and paths
 * are relative to it. The first start finds the target there already.
 */
export class SubTarget extends ForwardingTarget {
  private fresh = true;

  /** `firstLeft`, when given, is called once, when the search first leaves an execution. */
  constructor(
    inner: Target,
    private readonly prefix: readonly Step[],
    private readonly at: Outcome,
    private firstLeft?: () => void,
  ) {
    super(inner);
  }

  override async start(): Promise<Outcome> {
    if (!this.fresh) await this.restore([]);
    this.fresh = false;
    return this.at;
  }

  override restore(path: readonly Step[]): Promise<void> {
    this.firstLeft?.();
    this.firstLeft = undefined;
    return this.inner.restore([...this.prefix, ...path]);
  }

  /** The worker's target outlives the job: it is closed with the worker. */
  override close(): Promise<void> {
    return Promise.resolve();
  }
}
