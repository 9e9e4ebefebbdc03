/**
 * What the race analysis of one explored execution adds to the search. Each reversible race
 * (lib/explore/dpor/races.ts) and each other value of a multi-valued event becomes, at the node
 * before it, a sequence inserted in the wakeup tree (odpor) or one initial step added to the
 * backtrack set (sdpor); `sleep` adds nothing.
 *
 * Every execution through a node registers the other values of the multi-valued event it
 * takes there (explorer.ts says why), but the same sequences twice at one node add nothing the
 * first did not: a node remembers what it registered (by actor, and for odpor by the sequence
 * before the values), so N values cost one registration at a node, not one per execution.
 */

import type { Stats } from "../result.ts";
import type { Event, EventMaker } from "./event.ts";
import { analyzing } from "./happens_before.ts";
import { alternatives, findingRaces, initials, reversal, reversalIndices } from "./races.ts";
import { wakesAll } from "./sleep.ts";
import type { DporReduction, Node } from "./stack.ts";
import { insert, ValueInsertion } from "./wakeup_tree.ts";

/** Races registered between two pauses. */
const pause = 64;
/** Other values of a multi-valued event made and registered at once. */
const valuesPerSlice = 4096;

export class Reversals {
  constructor(
    private readonly reduction: DporReduction,
    private readonly maker: EventMaker,
    private readonly stats: Stats,
  ) {}

  /**
   * Race analysis of the execution `events` (complete, cut, or blocked by sleep sets). It
   * pauses (yields) now and then, so that the search can answer an interrupt.
   */
  *register(nodes: readonly Node[], events: readonly Event[]): Generator<void, void> {
    if (this.reduction === "sleep") return;
    const a = yield* analyzing(events);
    const found = yield* findingRaces(a);
    let count = 0;
    for (const race of found) {
      if (++count % pause === 0) yield;
      const node = nodes[race.first];
      if (this.reduction === "odpor") {
        const v = reversal(a, race);
        if (wakesAll(node.sleep, v) && insert(node.tree, v)) this.stats.wakeupInsertions++;
      } else {
        const starts = initials(a, reversalIndices(a, race)).map((k) => a.events[k]);
        if (starts.some((ev) => node.backtrack.has(ev))) continue;
        this.backtrack(node, starts[0]);
      }
    }
    for (const alt of alternatives(a)) {
      yield;
      const node = nodes[alt.at];
      const key = this.reduction === "odpor"
        ? `${alt.event.actor}|${alt.before.map((e) => `${e.actor}.${e.alt}`).join(" ")}`
        : `${alt.event.actor}`;
      if (node.registered.has(key)) continue;
      node.registered.add(key);
      // The values are made and inserted a slice at a time (inserting them in slices is
      // inserting them in order): a random of millions of values does not stall the search.
      const t = alt.event.transition;
      const insertion = new ValueInsertion(node.tree, alt.before);
      for (let from = 0; from < t.choices; from += valuesPerSlice) {
        yield;
        const others = this.maker.otherValues(alt.event, from, from + valuesPerSlice);
        if (this.reduction === "odpor") {
          // No sleep-set test: a sleeper may be woken only by what the actor does after the
          // new value, which this execution cannot tell (docs/independence.md).
          this.stats.wakeupInsertions += insertion.insert(others);
        } else {
          for (const ev of others) if (!node.backtrack.has(ev)) this.backtrack(node, ev);
        }
      }
    }
  }

  private backtrack(node: Node, ev: Event): void {
    node.tree.append([ev]);
    node.backtrack.add(ev);
    this.stats.wakeupInsertions++;
  }
}
