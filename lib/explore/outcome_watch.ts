/**
 * What the SV-COMP conventions (docs/svcomp.md) add to a search's result, seen from the outcomes
 * its target returns, so that no exploration algorithm needs to know them: the executions a
 * failed assumption cut (`done` with `cut`, counted apart as `assumesFailed`), and whether any
 * value came from the nondet range, which makes a search that found nothing `incomplete`
 * ("nondet-range") rather than `ok`: it covered the range, not every value of the type.
 */

import type { ExplorationResult } from "./result.ts";
import type { Outcome, Target } from "./target.ts";

export class OutcomeWatch {
  assumesFailed = 0;
  nondetRange = false;

  /** `target`, with its start and execute outcomes seen by this watch. */
  wrap(target: Target): Target {
    const seen = (o: Outcome): Outcome => {
      this.see(o);
      return o;
    };
    return new Proxy(target, {
      get(t, key, receiver): unknown {
        if (key === "start") return async () => seen(await t.start());
        if (key === "execute") {
          return async (...a: Parameters<Target["execute"]>) => seen(await t.execute(...a));
        }
        const v = Reflect.get(t, key, receiver);
        return typeof v === "function" ? v.bind(t) : v;
      },
    });
  }

  see(o: Outcome): void {
    if (o.kind === "done" && o.cut === "assume") this.assumesFailed++;
    if (o.kind === "point" && o.nondetRange === true) this.nondetRange = true;
  }

  /** The result with what was seen: the count, and `ok` turned `incomplete` after the range. */
  apply<R extends ExplorationResult>(result: R): R {
    const stats = {
      ...result.stats,
      assumesFailed: result.stats.assumesFailed + this.assumesFailed,
    };
    if (this.nondetRange && result.verdict === "ok") {
      return { ...result, stats, verdict: "incomplete", incomplete: "nondet-range" };
    }
    return { ...result, stats };
  }
}
