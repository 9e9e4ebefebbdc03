/**
 * What the nondet range of the SV-COMP conventions (docs/svcomp.md) adds to a search's result,
 * seen from the outcomes its target returns, so that no exploration algorithm needs to know it:
 * whether any value came from the range, which makes a search that found nothing `incomplete`
 * ("nondet-range") rather than `ok`: it covered the range, not every value of the type. (The
 * executions a failed assumption cuts end at a point the algorithms classify: result.ts,
 * endOfStuck.)
 */

import { ForwardingTarget } from "./forwarding_target.ts";
import type { ExplorationResult } from "./result.ts";
import type { AheadHint, Outcome, Target } from "./target.ts";
import type { Step } from "../model/transition.ts";

export class OutcomeWatch {
  nondetRange = false;

  /** `target`, with its start and execute outcomes seen by this watch. */
  wrap(target: Target): Target {
    return new Watched(target, this);
  }

  see(o: Outcome): void {
    if (o.kind === "point" && o.nondetRange === true) this.nondetRange = true;
  }

  /** The result with what was seen: `ok` turned `incomplete` after the range. */
  apply<R extends ExplorationResult>(result: R): R {
    if (this.nondetRange && result.verdict === "ok") {
      return { ...result, verdict: "incomplete", incomplete: "nondet-range" };
    }
    return result;
  }
}

/**
 * A target whose start and execute outcomes a watch sees. A subclass of ForwardingTarget, not
 * a Proxy: a Proxy's `get` made a closure (and bound a method) at every use of the target, a
 * few per transition (issue 10).
 */
class Watched extends ForwardingTarget {
  /** The watch's `see`, made once (`then` takes it for every outcome). */
  private readonly seen: (o: Outcome) => Outcome;

  constructor(inner: Target, watch: OutcomeWatch) {
    super(inner);
    this.seen = (o) => {
      watch.see(o);
      return o;
    };
  }

  // `then` rather than an async method: an async frame per step cost about 1 KB of garbage.
  override start(): Promise<Outcome> {
    return this.inner.start().then(this.seen);
  }

  override execute(step: Step, ahead?: AheadHint): Promise<Outcome> {
    return this.inner.execute(step, ahead).then(this.seen);
  }
}
