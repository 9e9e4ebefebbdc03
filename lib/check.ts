/**
 * Checking a program, as a library call: resolve it, build the target for the chosen restore
 * strategy, run the chosen exploration, and always release the processes. The CLI's `check`
 * and `demo` and the tests all go through here.
 */

import { explore } from "./explore/explore.ts";
import type { ExplorationResult, Stats } from "./explore/result.ts";
import type { NameTable } from "./model/transition.ts";
import { ReplayTarget } from "./process/replay_target.ts";
import { resolveProgram } from "./process/resolve.ts";
import { MemoryTarget, type StateStats } from "./state/memory_target.ts";
import { ForkTarget } from "./state/fork_target.ts";
import type { Target } from "./explore/target.ts";
import { UsageError } from "./errors.ts";
import { readSymbols } from "./report/symbols.ts";
import { readSources, type SourceResolver } from "./report/source.ts";
import { ProgramOutput } from "./process/output.ts";
import type { ProgramSpec } from "./process/spec.ts";
import type { StateGraph } from "./report/state_graph.ts";

export const restores = ["replay", "memory", "fork"] as const;
export type Restore = typeof restores[number];
export const defaultRestore: Restore = "memory";

export const reductions = ["none", "sleep", "sdpor", "odpor"] as const;
export type Reduction = typeof reductions[number];
export const defaultReduction: Reduction = "odpor";

export interface CheckOptions {
  readonly reduction?: Reduction;
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
}

export interface CheckResult extends ExplorationResult {
  readonly names: NameTable;
  readonly restore: Restore;
  /** What the snapshot engine did (stateful restores). */
  readonly state: StateStats | null;
  /** With a violation: the last lines the failing execution wrote on stderr ("" if none). */
  readonly stderr: string | null;
  /** Where in the program's source each step was made (read when first asked). */
  readonly sources: SourceResolver;
}

export const defaultTimeoutMs = 10_000;

/** Whether a search prunes visited states: as asked, or by default with memory and no reduction. */
export function usesVisited(restore: Restore, reduction: Reduction, visited?: boolean): boolean {
  return visited ?? (restore === "memory" && reduction === "none");
}

export async function check(
  program: string,
  args: readonly string[],
  options: CheckOptions = {},
): Promise<CheckResult> {
  const env = options.env ?? Deno.env.toObject();
  const reduction = options.reduction ?? defaultReduction;
  const restore = options.restore ?? defaultRestore;
  if (options.visited && restore === "replay") {
    throw new UsageError(
      "--visited needs --restore=memory or --restore=fork (states are compared by their memory)",
    );
  }
  if (options.visited && reduction !== "none") {
    throw new UsageError(
      "--visited needs --reduction=none (skipping visited states is not sound with partial-order reduction)",
    );
  }
  const visited = usesVisited(restore, reduction, options.visited);
  if (options.graph !== undefined && !visited) {
    throw new UsageError(
      "--dot draws the states --visited tells apart: it needs --visited (--restore=memory or fork, --reduction=none)",
    );
  }
  if (options.exactCompare && !visited) {
    throw new UsageError(
      "--exact-compare checks the states --visited prunes: it needs --visited (--restore=memory or fork, --reduction=none)",
    );
  }
  const spec = resolveProgram(program, args, env);
  // The program's output is captured (stdout only to show it), and rewound with each restore.
  const output = new ProgramOutput(options.showOutput ?? false);
  try {
    return await checkWith(spec, output, options, restore, reduction, visited);
  } finally {
    output.close();
  }
}

async function checkWith(
  spec: ProgramSpec,
  output: ProgramOutput,
  options: CheckOptions,
  restore: Restore,
  reduction: Reduction,
  visited: boolean,
): Promise<CheckResult> {
  const env = options.env ?? Deno.env.toObject();
  const run = {
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    showOutput: options.showOutput,
    output,
    pinCpu: options.pinCpu,
    signal: options.signal,
  };
  const memory = restore === "memory"
    ? new MemoryTarget(spec, {
      ...run,
      checkMaps: env.ISOMC_CHECK_MAPS === "1",
      snapshotSpacing: options.snapshotSpacing,
      runEveryEnd: options.everyEnd ?? Boolean(options.showOutput),
    })
    : null;
  if (memory !== null) memory.keyEveryState = visited;
  const fork = restore === "fork"
    ? new ForkTarget(spec, {
      ...run,
      maxCheckpoints: options.maxCheckpoints,
      checkMaps: env.ISOMC_CHECK_MAPS === "1",
      runEveryEnd: options.everyEnd ?? Boolean(options.showOutput),
    })
    : null;
  // States are keyed as memory keys them (lib/state/state_key.ts): the same counts.
  if (fork !== null) fork.keyEveryState = visited;
  const target: Target = memory ?? fork ?? new ReplayTarget(spec, run);
  // --dot watches the search through the target: the algorithms do not know it.
  const explored = options.graph?.wrap(target) ?? target;
  let result;
  let state;
  try {
    // A reduction that meets an execution repeating its state starts over statefully, when
    // states can be compared and --no-visited did not forbid it (lib/explore/explore.ts).
    const fallback = restore === "memory" && options.visited !== false;
    result = await explore(explored, reduction, { ...options, visited, fallback });
    state = memory?.stateStats() ?? null;
  } finally {
    await target.close();
  }
  return {
    ...result,
    names: { ...target.names, symbol: readSymbols(spec.path) },
    sources: readSources(spec.path),
    restore,
    state,
    // The search stops at the violation: the files hold the failing execution's output.
    stderr: result.violation === null ? null : output.stderrTail(),
  };
}
