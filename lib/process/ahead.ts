/**
 * Where a run-ahead stands, as the checker follows it (docs/protocol.md, "Running ahead"): the
 * last RUN's continuation rule, the last point the runtime reported and whether it runs on from
 * there, and how many steps it took on its own since the RUN; from these, the step it takes
 * next, which it does not send (program.ts reads its reports).
 */

import { InternalError } from "../errors.ts";
import type { Point, Step } from "../model/transition.ts";
import { aheadStepAt } from "../explore/target.ts";
import type { AheadRule } from "./protocol.ts";

export class RunAhead {
  /**
   * The runtime runs on from the last point reported, by the last RUN's continuation rule: it
   * takes `step()` and its next report is on the way.
   */
  ranOn = false;
  /** The last point reported, and the asleep actors of the rule it runs on by. */
  lastPoint: Point | null = null;
  private asleep: readonly number[] = [];
  /** The rule's known steps (taken first), and how many steps the runtime took on its own. */
  private known: readonly Step[] = [];
  private taken = 0;

  /** A RUN starts, with this continuation rule (or none). */
  begin(ahead?: AheadRule): void {
    this.asleep = ahead?.asleep ?? [];
    this.known = ahead?.known ?? [];
    this.taken = 0;
  }

  /** The step the runtime takes on its own from the last point reported (while it runs on). */
  step(): Step {
    const step = this.taken < this.known.length
      ? this.known[this.taken]
      : this.lastPoint === null
      ? null
      : aheadStepAt(this.lastPoint, this.asleep);
    if (step === null) throw new InternalError("internal: the runtime ran on from a stop");
    return step;
  }

  /** The runtime took `step()`: the next one is past it. */
  took(): void {
    this.taken++;
  }
}
