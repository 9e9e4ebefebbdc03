/**
 * The current execution of a DPOR search, as a stack of nodes: the state at each depth with
 * its sleep set and its pending branches, and the step and event taken from it. It also
 * chooses the branch to explore next when the search comes back to a node: the first branch
 * of its wakeup tree that is not asleep, or, when it has none, the first enabled step not
 * asleep (every such step for `sleep`).
 */

import { enabledSteps, type Point, type Step, transitionOf } from "../../model/transition.ts";
import type { Stats } from "../result.ts";
import type { Event, EventMaker } from "./event.ts";
import { afterStep, isAsleep } from "./sleep.ts";
import { WakeupNode } from "./wakeup_tree.ts";

export type DporReduction = "sleep" | "sdpor" | "odpor";

/** One state of the current execution and what remains to explore from it. */
export interface Node {
  readonly point: Point;
  /** Asleep here: inherited sleepers still independent, and the branches already explored. */
  readonly sleep: Event[];
  /** Pending branches (odpor: the wakeup tree; sleep and sdpor: single steps). */
  readonly tree: WakeupNode;
  /** Branches explored from this state (sdpor's backtrack set, with the pending ones). */
  readonly done: Event[];
  current: WakeupNode | null;
  started: boolean;
}

export class ExecutionStack {
  /** nodes[i] is the state at depth i; path[i] the step taken from it, events[i] its event. */
  readonly nodes: Node[] = [];
  readonly path: Step[] = [];
  readonly events: Event[] = [];
  private nextSleep: Event[] = [];
  private nextTree = new WakeupNode(null);
  /** The target is at the top node's state (it was just pushed, nothing ran since). */
  private fresh = false;

  constructor(
    private readonly reduction: DporReduction,
    private readonly maker: EventMaker,
    private readonly stats: Stats,
    /** Called when every enabled step of a new node is asleep: the execution ends there. */
    private readonly onBlocked: () => void,
  ) {}

  get points(): Point[] {
    return this.nodes.map((n) => n.point);
  }

  /** Whether the target must be brought back to the top node's state before it steps. */
  get needsRestore(): boolean {
    return !this.fresh;
  }

  /** The state just reached becomes the top node. */
  push(point: Point): void {
    this.nodes.push({
      point,
      sleep: this.nextSleep,
      tree: this.nextTree,
      done: [],
      current: null,
      started: false,
    });
    this.fresh = true;
  }

  /**
   * Goes back to the deepest node with a branch left, popping the others, and returns that
   * branch (the top node is then the node it starts from); null when none is left.
   */
  nextBranch(): WakeupNode | null {
    while (this.nodes.length > 0) {
      const top = this.nodes[this.nodes.length - 1];
      if (top.current !== null) this.finishBranch(top);
      this.path.length = this.nodes.length - 1;
      this.events.length = this.nodes.length - 1;
      const branch = this.branchOf(top);
      if (branch !== null) return branch;
      this.nodes.pop();
      this.fresh = false;
    }
    return null;
  }

  /** The top node's step along `branch`, about to run. */
  begin(branch: WakeupNode, step: Step): void {
    this.nodes[this.nodes.length - 1].current = branch;
    this.path.push(step);
    this.fresh = false;
  }

  /** The event of the step begun, once it ran; the next node inherits from it. */
  ran(branch: WakeupNode, ev: Event): void {
    const top = this.nodes[this.nodes.length - 1];
    branch.ev = ev;
    this.events.push(ev);
    this.nextSleep = afterStep(top.sleep, ev);
    this.nextTree = this.reduction === "odpor" ? branch : new WakeupNode(null);
  }

  /** The branch to explore next from `node`, or null when it has none left. */
  private branchOf(node: Node): WakeupNode | null {
    while (node.tree.children.length > 0) {
      const first = node.tree.children[0];
      if (!isAsleep(node.sleep, first.ev!)) {
        node.started = true;
        return first;
      }
      node.tree.children.shift();
    }
    if (node.started) return null;
    node.started = true;
    const candidates: Event[] = [];
    for (const step of enabledSteps(node.point)) {
      const ev = this.maker.of(transitionOf(node.point, step.actor)!, step.choice);
      if (!isAsleep(node.sleep, ev)) candidates.push(ev);
    }
    if (candidates.length === 0) {
      this.stats.sleepBlocked++;
      this.onBlocked();
      return null;
    }
    for (const ev of this.reduction === "sleep" ? candidates : candidates.slice(0, 1)) {
      node.tree.append([ev]);
    }
    return node.tree.children[0];
  }

  private finishBranch(node: Node): void {
    const branch = node.current!;
    node.sleep.push(branch.ev!);
    node.done.push(branch.ev!);
    const at = node.tree.children.indexOf(branch);
    if (at >= 0) node.tree.children.splice(at, 1);
    node.current = null;
  }
}
