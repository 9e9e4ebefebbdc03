/**
 * Wakeup trees (ODPOR): at each state of the current execution, the ordered tree of event
 * sequences still to explore from it. A race reversal is inserted unless a branch already
 * explores something it starts; the leftmost branch is explored first.
 */

import { type Event, eventsDependent } from "./event.ts";

export class WakeupNode {
  readonly children: WakeupNode[] = [];
  constructor(public ev: Event | null) {}

  /** Adds `sequence` as a new rightmost branch below this node. */
  append(sequence: readonly Event[]): void {
    if (sequence.length === 0) return;
    const child = new WakeupNode(sequence[0]);
    this.children.push(child);
    child.append(sequence.slice(1));
  }
}

type Fit = { readonly kind: "conflict" } | { readonly kind: "initial"; readonly at: number } | {
  readonly kind: "independent";
};

/**
 * How a branch's first event `c` relates to `v`: it is v's first event of its actor and
 * nothing before it in v conflicts with it (an initial of v: descend, dropping it from v); it
 * is independent of all of v (a weak initial not in v); or neither.
 */
function fit(c: Event, v: readonly Event[]): Fit {
  for (let k = 0; k < v.length; k++) {
    const e = v[k];
    if (e.actor === c.actor) {
      if (e.alt !== c.alt) return { kind: "conflict" };
      for (let p = 0; p < k; p++) if (eventsDependent(v[p], e)) return { kind: "conflict" };
      return { kind: "initial", at: k };
    }
    if (eventsDependent(e, c)) return { kind: "conflict" };
  }
  return { kind: "independent" };
}

/**
 * Inserts `sequence` below `root` (JACM 2017, insert[E](w, wut)); returns whether a branch was
 * added. It descends through the first branch whose event is a weak initial of what is left of
 * the sequence (dropping that event from it when it is in it); reaching a leaf means an
 * execution already scheduled explores it. Descending through a branch independent of the
 * whole rest matters: stopping there, as Nidhugg's implementation does, loses executions when
 * the only race that leads to them below that branch is cut by a sleep set (the random
 * program tests found such a case with two trylocks).
 */
export function insert(root: WakeupNode, sequence: readonly Event[]): boolean {
  let node = root;
  const v = [...sequence];
  while (true) {
    if (node.children.length === 0) return false;
    let next: WakeupNode | null = null;
    for (const child of node.children) {
      const f = fit(child.ev!, v);
      if (f.kind === "conflict") continue;
      if (f.kind === "initial") {
        if (v.length === 1) return false;
        v.splice(f.at, 1);
      }
      next = child;
      break;
    }
    if (next === null) {
      node.append(v);
      return true;
    }
    node = next;
  }
}
