/**
 * The state graph a search explored, for `isomc check --dot` (with --visited): its nodes are the
 * distinct states by hash, its edges the steps taken between them, pruned arrivals included (so
 * cycles show). Recorded by a decorator of the search's Target, which notes the state after
 * start and each execute and follows the search back on restore(path) — no search algorithm
 * changes. Bounded: past `limit` states the search stops with one line (exit 2), before
 * anything is written.
 */

import { InputError } from "../errors.ts";
import {
  enabledSteps,
  type NameTable,
  type Point,
  type Step,
  type Transition,
  transitionOf,
} from "../model/transition.ts";
import type { AheadHint, ExactState, Outcome, Target, TargetCounters } from "../explore/target.ts";

export const defaultGraphLimit = 10_000;

export interface GraphNode {
  readonly id: number;
  /** What ends there, if anything: every actor returned, a deadlock, a violation. */
  end: "done" | "deadlock" | "violation" | null;
  /** The violation's kind, for a violation node. */
  violation?: string;
}

export interface GraphEdge {
  readonly from: number;
  readonly to: number;
  readonly step: Step;
  readonly transition: Transition;
}

/** The graph, filled in by the targets `wrap` returns. */
export class StateGraph {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges = new Map<string, GraphEdge>();

  constructor(readonly limit = defaultGraphLimit) {}

  wrap(target: Target): Target {
    return new RecordingTarget(target, this);
  }

  /** The node of a state (by key), made on first sight. */
  node(key: string): GraphNode {
    let n = this.nodes.get(key);
    if (n === undefined) {
      if (this.nodes.size >= this.limit) {
        throw new InputError(
          `--dot: the explored state graph has more than ${
            this.limit.toLocaleString("en-US")
          } states; it is for small programs (nothing written)`,
        );
      }
      n = { id: this.nodes.size, end: null };
      this.nodes.set(key, n);
    }
    return n;
  }

  edge(from: GraphNode, to: GraphNode, step: Step, transition: Transition): void {
    const key = `${from.id}>${to.id}:${step.actor}:${step.choice}`;
    if (!this.edges.has(key)) this.edges.set(key, { from: from.id, to: to.id, step, transition });
  }
}

/** Where the search is: the path from the initial state, and the state after each prefix. */
interface Position {
  readonly node: GraphNode | null;
  readonly point: Point | null;
}

class RecordingTarget implements Target {
  private path: Step[] = [];
  private positions: Position[] = [];
  private violations = 0;

  constructor(private readonly inner: Target, private readonly graph: StateGraph) {}

  get names(): NameTable {
    return this.inner.names;
  }

  get counters(): TargetCounters {
    return this.inner.counters;
  }

  async start(): Promise<Outcome> {
    const outcome = await this.inner.start();
    this.path = [];
    this.positions = [this.arrive(outcome)];
    return outcome;
  }

  async execute(step: Step, ahead?: AheadHint): Promise<Outcome> {
    const before = this.positions[this.positions.length - 1];
    const outcome = await this.inner.execute(step, ahead);
    const after = this.arrive(outcome);
    const t = before?.point === null || before === undefined
      ? undefined
      : transitionOf(before.point, step.actor);
    if (before?.node && after.node && t !== undefined) {
      this.graph.edge(before.node, after.node, step, t);
    }
    this.path.push(step);
    this.positions.push(after);
    return outcome;
  }

  async restore(path: readonly Step[]): Promise<void> {
    await this.inner.restore(path);
    const prefix = path.length <= this.path.length &&
      path.every((s, i) => s.actor === this.path[i].actor && s.choice === this.path[i].choice);
    if (!prefix) throw new Error("internal: --dot follows restores to prefixes of the path only");
    this.path.length = path.length;
    this.positions.length = path.length + 1;
  }

  stateHash(): bigint | null {
    return this.inner.stateHash?.() ?? null;
  }

  exactState(): ExactState | null {
    return this.inner.exactState?.() ?? null;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** The node the outcome leads to (null when the target cannot tell its state). */
  private arrive(outcome: Outcome): Position {
    if (outcome.kind === "violation") {
      // The program is gone: a violation is a node of its own.
      const node = this.graph.node(`violation ${this.violations++}`);
      node.end = "violation";
      node.violation = outcome.violation.kind;
      return { node, point: null };
    }
    const hash = this.inner.stateHash?.() ?? null;
    if (hash === null) return { node: null, point: null };
    const node = this.graph.node(hash.toString(16));
    if (outcome.kind === "done") node.end = "done";
    else if (enabledSteps(outcome.point).length === 0) node.end = "deadlock";
    return { node, point: outcome.kind === "point" ? outcome.point : null };
  }
}
