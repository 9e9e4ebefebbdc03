/**
 * The current execution of a DPOR search, as a stack of nodes: the state at each depth with
 * its sleep set and its pending branches, and the step and event taken from it. It also
 * chooses the branch to explore next when the search comes back to a node: the first branch
 * of its wakeup tree that is not asleep, or, when it has none, the first enabled step not
 * asleep (every such step for `sleep`).
 */

import { Kind, type Point, type Step, type Transition } from "../../model/transition.ts";
import { PathPoints } from "../points.ts";
import type { AheadHint } from "../target.ts";
import { maxDonated, type Stats } from "../result.ts";
import { altOf, type Event, EventMaker, EventSet } from "./event.ts";
import { SleepSet } from "./sleep.ts";
import { WakeupNode } from "./wakeup_tree.ts";

export type DporReduction = "sleep" | "sdpor" | "odpor";

/** nextBranch's answer when the top node has every enabled step asleep (see there). */
export const blocked = Symbol("blocked");

/**
 * One state of the current execution and what remains to explore from it (its point is in
 * the stack's PathPoints: only the top node's is at hand).
 */
export interface Node {
  /** Asleep here: inherited sleepers still independent, and the branches already explored. */
  readonly sleep: SleepSet;
  /** Pending branches (odpor: the wakeup tree; sleep and sdpor: single steps). */
  readonly tree: WakeupNode;
  /** sdpor's backtrack set: every step added to the tree or explored from this state. */
  readonly backtrack: EventSet;
  /**
   * What the other values of multi-valued events registered here (reversals.ts); made on the
   * first (most nodes never have one: no Set per step).
   */
  registered: Set<string> | null;
  current: WakeupNode | null;
  started: boolean;
}

export class ExecutionStack {
  /**
   * nodes[i] is the state at depth i; path[i] the step taken from it, taken[i] the transition
   * it executed (as seen before), events[i] its event once it ran.
   */
  readonly nodes: Node[] = [];
  readonly path: Step[] = [];
  readonly taken: Transition[] = [];
  readonly events: Event[] = [];
  /** Makes the events at the end of the current path (event.ts: where comms were posted). */
  readonly maker: EventMaker;
  private readonly points = new PathPoints();
  private nextSleep = SleepSet.empty();
  private nextTree = new WakeupNode(null);
  /** The target is at the top node's state (it was just pushed, nothing ran since). */
  private fresh = false;

  constructor(
    private readonly reduction: DporReduction,
    spawners: ReadonlySet<number>,
    private readonly stats: Stats,
    /** The sleep set at the root (a parallel job's, lib/parallel/), empty by default. */
    rootSleep?: SleepSet,
    /** The events above the root (a parallel job's prefix), for the comms posted there. */
    prefix: readonly Event[] = [],
    /**
     * The wakeup tree at the root (a parallel job's: the branch of the coordinator's node
     * that leads to it, as the sequential search has it when it reaches the root).
     */
    rootTree?: WakeupNode,
  ) {
    this.maker = new EventMaker(spawners, this.events, prefix);
    if (rootSleep !== undefined) this.nextSleep = rootSleep;
    if (rootTree !== undefined) this.nextTree = rootTree;
  }

  /** The top node's point (a view, valid until the stack changes). */
  get top(): Point {
    return this.points.top;
  }

  /** Whether the target must be brought back to the top node's state before it steps. */
  get needsRestore(): boolean {
    return !this.fresh;
  }

  /** The state just reached becomes the top node. */
  push(point: Point): void {
    this.points.push(point);
    this.nodes.push({
      sleep: this.nextSleep,
      tree: this.nextTree,
      backtrack: new EventSet(),
      registered: null,
      current: null,
      started: false,
    });
    this.fresh = true;
  }

  /**
   * Goes back to the deepest node with a branch left, popping the others, and returns that
   * branch (the top node is then the node it starts from); null when none is left. When the
   * top node turns out to have every enabled step asleep, the execution ends there: it answers
   * `blocked`, so that the caller analyses the execution, then asks again.
   */
  nextBranch(): WakeupNode | null | typeof blocked {
    while (this.nodes.length > 0) {
      const top = this.nodes[this.nodes.length - 1];
      if (top.current !== null) this.finishBranch(top);
      this.path.length = this.nodes.length - 1;
      this.taken.length = this.nodes.length - 1;
      this.events.length = this.nodes.length - 1;
      const branch = this.branchOf(top);
      if (branch !== null) return branch;
      this.nodes.pop();
      this.points.pop();
      this.fresh = false;
    }
    return null;
  }

  /**
   * A parallel job's donation under sleep sets (ExploreOptions.donate), when the next branch
   * is chosen: the branches left at the shallowest node that has any (its tree's branches not
   * asleep after the one explored there, or about to be at the top), as paths from the root,
   * removed from its tree. What the search has left is then all below that node's current
   * branch, which comes before them in its order. None when they are too many (a random of a
   * million values) or a waitany's (its choice is an index at its point, not at hand here).
   */
  giveAway(): Step[][] {
    for (let i = 0; i < this.nodes.length; i++) {
      const node = this.nodes[i];
      const left: WakeupNode[] = [];
      for (let k = 1; k < node.tree.count; k++) {
        const b = node.tree.child(k);
        if (!node.sleep.has(b.ev!)) left.push(b);
      }
      if (left.length === 0) continue;
      if (left.length > maxDonated || left.some((b) => b.ev!.transition.kind === Kind.waitany)) {
        return [];
      }
      for (const b of left) node.tree.remove(b);
      const above = this.path.slice(0, i);
      return left.map((b) => [...above, { actor: b.ev!.actor, choice: b.ev!.alt }]);
    }
    return [];
  }

  /** The top node's step along `branch`, about to run. */
  begin(branch: WakeupNode, step: Step, transition: Transition): void {
    this.nodes[this.nodes.length - 1].current = branch;
    this.path.push(step);
    this.taken.push(transition);
    this.fresh = false;
  }

  /**
   * The forecast after the step begun along `branch` (Target.execute's AheadHint), worked out
   * only if the target asks (BranchForecast): a target serving steps from a batch already
   * under way does not, and walking a wakeup sequence at each of its steps cost more than the
   * round trips it saved (indexer(15)). At a fresh node with no wakeup tree, branchOf takes the
   * first enabled step not asleep, in actor then choice order, under every reduction: an actor
   * not asleep here is the lowest enabled actor's first choice. Under odpor, a wakeup subtree
   * below the branch says the next steps first: the fresh nodes below take its leftmost
   * branches, one after another, while they are not asleep (knownSteps). A sleep set only
   * shrinks down an execution, so the actors asleep below the known steps are among those of
   * the sleep set they lead to.
   */
  aheadHint(branch: WakeupNode, maxDepth: number): AheadHint {
    const sleep = this.nodes[this.nodes.length - 1].sleep;
    const wakeup = this.reduction === "odpor" && branch.count > 0;
    return new BranchForecast(sleep, branch, wakeup, maxDepth);
  }

  /** The event of the step begun, once it ran; the next node inherits from it. */
  ran(branch: WakeupNode, ev: Event): void {
    const top = this.nodes[this.nodes.length - 1];
    branch.ev = ev;
    this.events.push(ev);
    this.nextSleep = top.sleep.after(ev);
    this.nextTree = this.reduction === "odpor" ? branch : new WakeupNode(null);
  }

  /** The branch to explore next from `node`, or null when it has none left. */
  private branchOf(node: Node): WakeupNode | null | typeof blocked {
    while (node.tree.count > 0) {
      const first = node.tree.child(0);
      if (!node.sleep.has(first.ev!)) {
        node.started = true;
        return first;
      }
      node.tree.remove(first);
    }
    if (node.started) return null;
    node.started = true;
    // The first enabled step not asleep (every one for sleep), in actor then choice order;
    // choices are looked at one by one, not listed: a random can have millions.
    let found = false;
    for (const t of this.points.top.transitions) {
      if (!t.enabled) continue;
      for (let choice = 0; choice < t.choices; choice++) {
        if (node.sleep.hasAlt(t.actor, altOf(t, choice))) continue;
        const ev = this.maker.of(t, choice);
        node.tree.append([ev]);
        node.backtrack.add(ev);
        found = true;
        if (this.reduction !== "sleep") return node.tree.child(0);
      }
    }
    if (!found) {
      this.stats.sleepBlocked++;
      return blocked;
    }
    return node.tree.child(0);
  }

  private finishBranch(node: Node): void {
    const branch = node.current!;
    node.sleep.add(branch.ev!);
    node.backtrack.add(branch.ev!);
    node.tree.remove(branch);
    node.current = null;
  }
}

/**
 * The steps a search along `branch` takes below it by its wakeup subtree, and the actors that
 * may be asleep where they end (null: the choice there is not the rule's). Each fresh node
 * below takes its tree's leftmost branch unless that branch is asleep there (branchOf): the
 * walk stops at a branch asleep in the sleep set it follows down (the search would take
 * another), and before a waitany (its choice is an index among the comms matched at its point,
 * not known before). A random's choice is its alternative; every other step's is 0.
 */
export function knownSteps(
  sleep: SleepSet,
  branch: WakeupNode,
): { steps: Step[]; asleep: number[] | null } {
  const steps: Step[] = [];
  let below = sleep.after(branch.ev!);
  let node = branch;
  while (node.count > 0) {
    const next = node.child(0);
    const ev = next.ev!;
    if (below.has(ev) || ev.transition.kind === Kind.waitany) return { steps, asleep: null };
    steps.push({ actor: ev.actor, choice: ev.alt });
    node = next;
    if (node.count === 0) return { steps, asleep: below.actorsAfter(ev) };
    below = below.after(ev);
  }
  return { steps, asleep: sleep.actorsAfter(branch.ev!) };
}

/** A forecast (AheadHint) worked out on first use, from the branch about to be taken. */
class BranchForecast implements AheadHint {
  private known: { steps: Step[]; asleep: number[] | null } | null = null;

  constructor(
    private readonly sleep: SleepSet,
    private readonly branch: WakeupNode,
    private readonly wakeup: boolean,
    readonly maxDepth: number,
  ) {}

  get steps(): readonly Step[] {
    return this.work().steps;
  }

  get asleep(): readonly number[] | null {
    return this.work().asleep;
  }

  private work(): { steps: Step[]; asleep: number[] | null } {
    this.known ??= this.wakeup
      ? knownSteps(this.sleep, this.branch)
      : { steps: [], asleep: this.sleep.actorsAfter(this.branch.ev!) };
    return this.known;
  }
}
