/**
 * The nodes above the cut of a parallel sdpor/odpor search (dpor_coordinator.ts) and how one
 * chooses its next branch: the sequential stack's node (stack.ts) with what the frontier knows
 * of it (its point and first step not asleep, from its probe), and stack.ts's branchOf as the
 * coordinator applies it. Also the job tree's names of the branches (the job log's ids).
 */

import { type Event, EventSet } from "../explore/dpor/event.ts";
import type { SleepSet } from "../explore/dpor/sleep.ts";
import type { Node } from "../explore/dpor/stack.ts";
import type { WakeupNode } from "../explore/dpor/wakeup_tree.ts";
import type { Point, Step } from "../model/transition.ts";
import type { Unit } from "./dpor_units.ts";

/** What the cut and the prediction need to know of a node above the cut. */
export interface TopShape {
  readonly depth: number;
  /** The nodes above it with a choice (two steps enabled or more): the cut is at splitDepth. */
  readonly level: number;
  readonly id: readonly number[];
  readonly prefix: readonly Step[];
  readonly point: Point | null;
  readonly first: Event | null;
  /**
   * Whether its children below splitDepth levels are above the cut too: decided by the
   * frontier when it takes the node's probe (dpor_cut.ts), null until then.
   */
  deeper: boolean | null;
  /** Its wakeup tree, once the frontier has the node (the cut weighs its branches). */
  readonly node?: { readonly tree: WakeupNode };
}

/** A node above the cut, on the frontier's path. */
export interface Top extends TopShape {
  /** The sequential search's node: sleep set, wakeup tree, backtrack set. */
  readonly node: Node;
  /** Its sleep set when the search reached it (the probe's input). */
  readonly arrival: SleepSet;
  phase: "probe" | "branches" | "leaf";
  point: Point | null;
  first: Event | null;
  /** The subtree job of the branch being explored (a child at the cut). */
  waiting: Unit | null;
}

/**
 * The deepest node above the cut: the cut counts nodes with a choice (levelBelow), and a
 * program can run long before its first (a main that starts its threads one by one).
 */
export const maxTopDepth = 64;

export function newTop(
  depth: number,
  level: number,
  id: readonly number[],
  prefix: readonly Step[],
  sleep: SleepSet,
  tree: WakeupNode,
): Top {
  const node: Node = {
    sleep,
    tree,
    backtrack: new EventSet(),
    registered: null,
    current: null,
    started: false,
  };
  return {
    depth,
    level,
    id,
    prefix,
    node,
    arrival: sleep.copy(),
    phase: "probe",
    point: null,
    first: null,
    waiting: null,
    deeper: null,
  };
}

/** The level of `n`'s children: one more than `n`'s when `n` has a choice. */
export function levelBelow(n: { level: number; point: Point | null }): number {
  let enabled = 0;
  for (const t of n.point!.transitions) if (t.enabled) enabled += t.choices;
  return n.level + (enabled > 1 ? 1 : 0);
}

/**
 * The next branch of `n` (stack.ts's branchOf, after finishing the current one); `blocked`
 * when the node has every step asleep. With `take` false, only whether it is blocked.
 */
export function nextBranch(n: Top, take: boolean): WakeupNode | null | "blocked" {
  const node = n.node;
  if (node.current !== null) {
    node.sleep.add(node.current.ev!);
    node.backtrack.add(node.current.ev!);
    node.tree.remove(node.current);
    node.current = null;
  }
  while (node.tree.count > 0) {
    const first = node.tree.child(0);
    if (!node.sleep.has(first.ev!)) {
      if (take) node.started = true;
      return first;
    }
    node.tree.remove(first);
  }
  if (node.started) return null;
  if (n.first === null) {
    node.started = true;
    return "blocked";
  }
  if (!take) return null;
  node.started = true;
  node.tree.append([n.first]);
  node.backtrack.add(n.first);
  return node.tree.child(0);
}

/**
 * The index of each branch of each node in the job tree (the job log's ids, replayed by
 * scaling.ts): given the first time the frontier or the prediction sees it, so both agree.
 */
export class ChildIds {
  private ids = new Map<string, Map<string, number>>();

  of(id: readonly number[], ev: Event): number {
    const key = id.join(".");
    let children = this.ids.get(key);
    if (children === undefined) this.ids.set(key, children = new Map());
    const name = `${ev.actor}.${ev.alt}`;
    let k = children.get(name);
    if (k === undefined) children.set(name, k = children.size);
    return k;
  }
}
