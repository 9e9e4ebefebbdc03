/**
 * What the race analysis of one explored execution adds to the search. Each reversible race
 * (lib/explore/dpor/races.ts) and each other value of a multi-valued event becomes, at the node
 * before it, a sequence inserted in the wakeup tree (odpor) or one initial step added to the
 * backtrack set (sdpor); `sleep` adds nothing.
 */

import type { Stats } from "../result.ts";
import { type EventMaker, sameEvent } from "./event.ts";
import type { Event } from "./event.ts";
import { analyze } from "./happens_before.ts";
import { alternatives, initials, races, reversal, reversalIndices } from "./races.ts";
import { wakesAll } from "./sleep.ts";
import type { DporReduction, Node } from "./stack.ts";
import { insert } from "./wakeup_tree.ts";

export class Reversals {
  constructor(
    private readonly reduction: DporReduction,
    private readonly maker: EventMaker,
    private readonly stats: Stats,
  ) {}

  /** Race analysis of the execution `events` (complete, cut, or blocked by sleep sets). */
  register(nodes: readonly Node[], events: readonly Event[]): void {
    if (this.reduction === "sleep") return;
    const a = analyze(events);
    for (const race of races(a)) {
      const node = nodes[race.first];
      if (this.reduction === "odpor") {
        const v = reversal(a, race);
        if (wakesAll(node.sleep, v) && insert(node.tree, v)) this.stats.wakeupInsertions++;
      } else {
        const starts = initials(a, reversalIndices(a, race)).map((k) => a.events[k]);
        if (starts.some((ev) => inBacktrack(node, ev))) continue;
        node.tree.append([starts[0]]);
        this.stats.wakeupInsertions++;
      }
    }
    for (const alt of alternatives(a, (ev) => this.maker.otherValues(ev))) {
      const node = nodes[alt.at];
      if (this.reduction === "odpor") {
        // No sleep-set test: a sleeper may be woken only by what the actor does after the
        // new value, which this execution cannot tell (docs/independence.md).
        if (insert(node.tree, alt.sequence)) this.stats.wakeupInsertions++;
      } else {
        const ev = alt.sequence[alt.sequence.length - 1];
        if (inBacktrack(node, ev)) continue;
        node.tree.append([ev]);
        this.stats.wakeupInsertions++;
      }
    }
  }
}

function inBacktrack(node: Node, ev: Event): boolean {
  return node.done.some((d) => sameEvent(d, ev)) ||
    node.tree.children.some((c) => sameEvent(c.ev!, ev));
}
