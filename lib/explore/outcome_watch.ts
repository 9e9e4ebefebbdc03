/**
 * What the nondet range of the SV-COMP conventions (docs/svcomp.md) adds to a search's result,
 * seen from the outcomes its target returns, so that no exploration algorithm needs to know it:
 * whether any value came from the range, which makes a search that found nothing `incomplete`
 * ("nondet-range") rather than `ok`: it covered the range, not every value of the type. (The
 * executions a failed assumption cuts end at a point the algorithms classify: result.ts,
 * endOfStuck.)
 */

import type { ExplorationResult } from "./result.ts";
import type { Outcome, Target } from "./target.ts";

export class OutcomeWatch {
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
