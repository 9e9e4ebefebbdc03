/**
 * The unit of parallel work and what comes back from it. A job is a replayable prefix of steps
 * from the initial state (never a memory image): any worker with its own copy of the program
 * can run it. docs/parallel.md says why a prefix is enough for every reduction.
 */

import type { Reduction } from "../explore/explore.ts";
import type {
  EndlessExecution,
  ExplorationResult,
  FoundViolation,
  Stats,
  TraceStep,
} from "../explore/result.ts";
import type { PackedOps } from "../explore/dpor/above.ts";
import type { Event } from "../explore/dpor/event.ts";
import type { SleepData } from "../explore/dpor/sleep.ts";
import type { TreeData } from "../explore/dpor/wakeup_tree.ts";
import type { Point, Step } from "../model/transition.ts";
import type { OutputChunk } from "./output.ts";

/** What every job of one search shares. */
export interface SplitConfig {
  readonly reduction: Reduction;
  /** Nodes shallower than this are split into one job per branch (the top of the tree). */
  readonly splitDepth: number;
  /** A node with more branches than this is not split (a random of a million values). */
  readonly maxFanout: number;
  /** The workers expected (sdpor, odpor: the cut goes deeper while fewer jobs wait). */
  readonly workers?: number;
  readonly maxDepth?: number;
  /**
   * --max-executions: the search stops after this many executions, counted in the sequential
   * order (a job explores at most this many; the coordinators ask again with what is left).
   */
  readonly maxExecutions?: number;
  readonly runawaySteps?: number;
  /** --reduction=none --visited: states are claimed from the coordinator, explored once. */
  readonly visited?: boolean;
  /** With visited: how every copy starts (reference.ts); each job checks its copy's key. */
  readonly start?: StartImage;
}

/** The reference copy's start: the words every copy takes (lib/state/alike.ts), its key. */
export interface StartImage {
  readonly words: readonly (readonly [bigint, bigint])[];
  /** The initial state's key; null when the program ends before its first point. */
  readonly key: bigint | null;
}

/** Asks the coordinator whether this job explores the state of hash `hash` (first to ask). */
export type Claim = (hash: bigint) => boolean | Promise<boolean>;

export interface Job {
  /** Its place in the job tree: the branch index at each split level (DFS order = its order). */
  readonly id: readonly number[];
  readonly prefix: readonly Step[];
  /** Actors known to create actors (DPOR's dependence relation, explorer.ts). */
  readonly spawners: readonly number[];
  /** The attempt it belongs to: a new spawner starts the split over, with a new epoch. */
  readonly epoch: number;
  /** sdpor and odpor (dpor_coordinator.ts): its inputs' name, the coordinator's. */
  readonly key?: string;
  /** sdpor and odpor: what the coordinator's nodes give the job's root. */
  readonly dpor?: DporJob;
  /**
   * --max-executions: at most this many executions in this job (what is left of the bound
   * before it in the sequential order); the search's bound when absent.
   */
  readonly maxExecutions?: number;
}

/** A sdpor or odpor job's root, as the sequential search has it when it gets there. */
export interface DporJob {
  /** A probe: the node's point and first step not asleep, unless the node ends an execution. */
  readonly probe: boolean;
  readonly sleep: SleepData;
  /** The wakeup tree at the root (odpor; sdpor's pending branches). */
  readonly tree: TreeData;
}

/** What running a job gives. */
export type JobOutcome =
  /** The job's node is split: one job per branch, in the order the sequential search takes. */
  | { readonly kind: "split"; readonly branches: readonly Step[][]; readonly stats: Stats }
  /** The job's subtree was explored (or it ended here); `result` counts its part. */
  | { readonly kind: "explored"; readonly part: JobPart }
  /** A probe's node (sdpor, odpor): its point, its first step not asleep, its own counts. */
  | {
    readonly kind: "node";
    readonly point: Point;
    readonly first: Event | null;
    readonly stats: Stats;
  }
  /** An actor was found creating actors: the whole split starts over with `spawners`. */
  | { readonly kind: "spawner"; readonly spawners: readonly number[] };

/** A subtree's share of the search's result. */
export interface JobPart {
  readonly stats: Stats;
  /** The first violation in the subtree (sequential order), its trace from the initial state. */
  readonly violation: FoundViolation | null;
  /** Why the subtree's search stopped early, other than a violation. */
  readonly stopped: "runaway" | "interrupted" | "out-of-memory" | "max-executions" | null;
  readonly depthCut: boolean;
  readonly endless: EndlessExecution | null;
  /** sdpor and odpor: what its races add at the nodes above its root, in order (above.ts). */
  readonly ops?: PackedOps;
  /** --show-output: its executions' output, each whole, in order (output.ts). */
  readonly output?: readonly OutputChunk[];
}

/** The subtree's result as a part: counts from the job's node, traces from the initial state. */
export function partOf(r: ExplorationResult, depth: number, above: readonly TraceStep[]): JobPart {
  const stats: Stats = {
    ...r.stats,
    transitions: r.stats.transitions + (depth > 0 ? 1 : 0),
    maxDepth: r.stats.maxDepth + depth,
  };
  const v = r.violation;
  return {
    stats,
    violation: v === null ? null : { ...v, trace: [...above, ...v.trace] },
    stopped: r.incomplete === "runaway" || r.incomplete === "interrupted" ||
        r.incomplete === "out-of-memory" || r.incomplete === "max-executions"
      ? r.incomplete
      : null,
    depthCut: r.incomplete === "max-depth",
    endless: r.endless ?? null,
  };
}
