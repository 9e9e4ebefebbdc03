/**
 * What a check is asked and what it answers: the restore strategies, reductions and modes, the
 * options of a check (lib/check.ts) and its result, and the environment the program runs with.
 *
 * The types of other subsystems come in by `import type`: an inline `import { type X }` still
 * makes Deno load and parse that module (and all it imports) before the check starts, the
 * liveness search and the parallel coordinator included (start-up, bench/README.md).
 */

import type { ExplorationResult, Stats } from "../explore/result.ts";
import type { NameTable } from "../model/transition.ts";
import type { StateStats } from "../state/memory_target.ts";
import { preloadEnv } from "../process/environment.ts";
import type { SourceResolver } from "../report/source.ts";
import type { Automaton } from "../ltl/automaton.ts";
import type { Fairness, LivenessStats } from "../liveness/search.ts";
import type { Lasso } from "../liveness/lasso.ts";
import type { LassoKind } from "../liveness/report.ts";
import type { StateGraph } from "../report/state_graph.ts";
import type { ParallelReport } from "../parallel/drive.ts";
import type { Address } from "../parallel/wire.ts";
import { ENV_JOIN_ON_EXIT, ENV_NONDET_RANGE, ENV_SVCOMP } from "../process/protocol.ts";

export const restores = ["replay", "memory", "fork"] as const;
export type Restore = typeof restores[number];
export const defaultRestore: Restore = "memory";

export const reductions = ["none", "sleep", "sdpor", "odpor"] as const;
export type Reduction = typeof reductions[number];
export const defaultReduction: Reduction = "odpor";

export const memoryModes = ["all", "sync"] as const;
/** Which memory accesses of pthread programs are steps (docs/pthreads.md). */
export type MemoryMode = typeof memoryModes[number];
export const raceModes = ["report", "ignore"] as const;
export type RaceMode = typeof raceModes[number];

export interface CheckOptions {
  readonly reduction?: Reduction;
  /** --memory: every shared access of a pthread program is a step (all), or atomics only. */
  readonly memory?: MemoryMode;
  /** --races: data races are violations (report, the default), or not looked for. */
  readonly races?: RaceMode;
  /** How earlier states are restored: re-execution, or memory snapshots. */
  readonly restore?: Restore;
  /**
   * Skip states already explored (needs a stateful restore and --reduction=none; default on
   * for --restore=memory --reduction=none).
   */
  readonly visited?: boolean;
  /** With visited states: confirm each hash match by comparing the states' memory and fds. */
  readonly exactCompare?: boolean;
  readonly maxDepth?: number;
  readonly maxExecutions?: number;
  /** Longest a transition may run, in milliseconds (default 10 s). */
  readonly timeoutMs?: number;
  /** Show the program's own output (off by default: it would repeat once per execution). */
  readonly showOutput?: boolean | "stderr";
  readonly env?: Readonly<Record<string, string>>;
  /** Run the program on the checker's CPU (default true). */
  readonly pinCpu?: boolean;
  /**
   * --restore=memory: run the rest of main after every execution, not once per distinct final
   * state (default: only with showOutput, so that the output stays the program's).
   */
  readonly everyEnd?: boolean;
  /** --restore=memory without --visited: at most one snapshot per this many steps (default 8). */
  readonly snapshotSpacing?: number;
  /** --restore=fork: most frozen processes kept at once (default 64). */
  readonly maxCheckpoints?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (stats: Readonly<Stats>) => void;
  /** Record the explored state graph here (--dot; the search must prune visited states). */
  readonly graph?: StateGraph;
  /**
   * Check a liveness property instead of safety alone (docs/liveness.md): needs
   * --restore=memory, --reduction=none and visited states (the defaults it implies).
   */
  readonly liveness?: LivenessCheck;
  /** --jobs=N: explore with N local worker processes (lib/parallel/). */
  readonly jobs?: number;
  /** --coordinator=HOST:PORT: listen there for workers started elsewhere. */
  readonly coordinator?: Address;
  /** --expect-workers=N: wait for N workers before handing out work. */
  readonly expectWorkers?: number;
  /** --nondet-range=LO..HI: the values of a wide __VERIFIER_nondet_* (docs/svcomp.md). */
  readonly nondetRange?: readonly [number, number];
  /** --svcomp: abort() is a failed assumption (its thread blocked for ever), as SV-COMP tasks mean it. */
  readonly svcomp?: boolean;
  /**
   * --preload: the program was built elsewhere; the runtime is preloaded into it, and only its
   * synchronisation is seen (docs/pthreads.md, "Binaries built elsewhere").
   */
  readonly preload?: boolean;
  /**
   * --join-on-exit: a pthread program's return from main waits for the threads still running
   * (GenMC's convention) instead of cutting them as POSIX's exit does (docs/pthreads.md).
   */
  readonly joinOnExit?: boolean;
}

/** The range a wide __VERIFIER_nondet_* takes its values from without --nondet-range. */
export const defaultNondetRange: readonly [number, number] = [-2, 2];

/** The environment the program runs with: the caller's, and the SV-COMP options' variables. */
export function programEnv(
  env: Readonly<Record<string, string>>,
  options: Pick<CheckOptions, "nondetRange" | "svcomp" | "memory" | "preload" | "joinOnExit">,
): Record<string, string> {
  const out = { ...env };
  // native/src/runtime/pthread.zig reads it at main's return.
  if (options.joinOnExit === true) out[ENV_JOIN_ON_EXIT] = "1";
  else delete out[ENV_JOIN_ON_EXIT];
  // The runtime reads the memory mode from its environment (native/src/runtime/tsan.zig).
  out.ISOMC_MEMORY = options.memory ?? (options.preload === true ? "sync" : "all");
  if (options.preload === true) Object.assign(out, preloadEnv(env));
  delete out[ENV_NONDET_RANGE];
  delete out[ENV_SVCOMP];
  const [lo, hi] = options.nondetRange ?? defaultNondetRange;
  out[ENV_NONDET_RANGE] = `${lo}..${hi}`;
  if (options.svcomp === true) out[ENV_SVCOMP] = "1";
  return out;
}

/** The property a liveness search checks. */
export interface LivenessCheck {
  /** "liveness" for a formula or a never claim, "non-progress" for --non-progress. */
  readonly kind: LassoKind;
  /** The automaton of the executions to find (the negated formula's, the claim's). */
  readonly automaton: Automaton;
  /** What the reports call the property: the formula as given, or the claim's file. */
  readonly formula: string;
  readonly fairness?: Fairness;
  /** A deadlock is one more run that ends, and stutters (--no-deadlock). */
  readonly deadlockIsFinite?: boolean;
}

/** What a liveness search found beyond a safety search's result. */
export interface LivenessOutcome {
  readonly kind: LassoKind;
  readonly formula: string;
  readonly fairness: Fairness;
  /** The execution that violates the property, when one was found. */
  readonly lasso: Lasso | null;
  readonly stats: LivenessStats;
}

export interface CheckResult extends ExplorationResult {
  readonly names: NameTable;
  readonly restore: Restore;
  /** What the snapshot engine did (stateful restores). */
  readonly state: StateStats | null;
  /** With a violation: the last lines the failing execution wrote on stderr ("" if none). */
  readonly stderr: string | null;
  /** The liveness search's findings, when one ran. */
  readonly liveness: LivenessOutcome | null;
  /** Where in the program's source each step was made (read when first asked). */
  readonly sources: SourceResolver;
  /** A parallel check's spread of the work. */
  readonly parallel?: ParallelReport;
  /** --preload: only synchronisation was seen (the reports say so once). */
  readonly preload?: true;
}

export const defaultTimeoutMs = 10_000;

/** Whether a search prunes visited states: as asked, or by default with memory and no reduction. */
export function usesVisited(restore: Restore, reduction: Reduction, visited?: boolean): boolean {
  return visited ?? (restore === "memory" && reduction === "none");
}
