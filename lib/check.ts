/**
 * Checking a program, as a library call: resolve it, build the target for the chosen restore
 * strategy, run the chosen exploration — a safety search, or the liveness search of an LTL
 * formula, a never claim or non-progress cycles — and always release the processes. The CLI's
 * `check` and `demo` and the tests all go through here.
 */

import {
  type CheckOptions,
  type CheckResult,
  defaultReduction,
  defaultRestore,
  type LivenessOutcome,
  programEnv,
  type Reduction,
  type Restore,
  usesVisited,
} from "./check/options.ts";
import { refuseForLiveness, refuseForPreload } from "./check/refusals.ts";
import { openTarget, watchRaces } from "./check/targets.ts";
import { explore } from "./explore/explore.ts";
import type { ExplorationResult } from "./explore/result.ts";
import { resolveProgram } from "./process/resolve.ts";
import { UsageError } from "./errors.ts";
import { readSymbols } from "./report/symbols.ts";
import { readSources } from "./report/source.ts";
import { ProgramOutput } from "./process/output.ts";
import type { ProgramSpec } from "./process/spec.ts";
import { OutcomeWatch } from "./explore/outcome_watch.ts";

export * from "./check/options.ts";
export { type LivenessGiven, livenessRefusal } from "./check/refusals.ts";
export { type OpenedTarget, openTarget, watchRaces } from "./check/targets.ts";

export async function check(
  program: string,
  args: readonly string[],
  options: CheckOptions = {},
): Promise<CheckResult> {
  const env = programEnv(options.env ?? Deno.env.toObject(), options);
  options = { ...options, env };
  // A liveness search explores every interleaving and recognises states by their memory.
  const reduction = options.reduction ?? (options.liveness ? "none" : defaultReduction);
  const restore = options.restore ?? defaultRestore;
  if (options.liveness) refuseForLiveness(options, reduction, restore);
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
  const parallel = options.jobs !== undefined || options.coordinator !== undefined;
  if (parallel && options.exactCompare) {
    // The coordinator keeps the hashes of the states claimed, not the states (docs/parallel.md).
    throw new UsageError(
      "--exact-compare is not available with --jobs or --coordinator: the coordinator keeps the hashes of the states workers claim, not their memory, so equal hashes cannot be compared byte for byte (docs/parallel.md)",
    );
  }
  if (parallel && options.liveness) {
    throw new UsageError("a liveness check is not available with --jobs or --coordinator yet");
  }
  if (parallel && options.graph !== undefined) {
    throw new UsageError("--dot is not available with --jobs or --coordinator");
  }
  // In parallel, --visited is asked for, not a default: each new state costs a claim (a
  // round trip to the coordinator), and the coordinator starts reference copies first.
  const visited = parallel
    ? options.visited === true
    : usesVisited(restore, reduction, options.visited);
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
  if (options.preload === true) refuseForPreload(spec, options);
  if (parallel) {
    // Loaded here: a sequential check does not pay for the parallel modules (start-up).
    const { checkParallel } = await import("./check/parallel.ts");
    return await checkParallel(spec, { ...options, env }, restore, reduction, visited);
  }
  // The program's output is captured (stdout only to show it), and rewound with each restore.
  const output = new ProgramOutput(options.showOutput ?? false);
  try {
    const result = await checkWith(spec, output, options, restore, reduction, visited);
    return options.preload === true ? { ...result, preload: true } : result;
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
  const { target, memory } = openTarget(spec, output, options, restore, visited);
  // --dot, the race watch and the SV-COMP conventions see the search through the target: the
  // algorithms do not know them.
  const watched = options.races === "ignore" || options.liveness !== undefined
    ? target
    : watchRaces(target, spec);
  const watch = new OutcomeWatch();
  const explored = watch.wrap(options.graph?.wrap(watched) ?? watched);
  let result: ExplorationResult;
  let liveness: LivenessOutcome | null = null;
  let state;
  try {
    if (options.liveness !== undefined && memory !== null) {
      const l = options.liveness;
      // Loaded here: a safety check does not pay for the liveness search's modules.
      const { searchLiveness } = await import("./liveness/search.ts");
      const found = await searchLiveness(memory, {
        automaton: l.automaton,
        source: l.formula,
        fairness: l.fairness,
        deadlockIsFinite: l.deadlockIsFinite,
        maxDepth: options.maxDepth,
        signal: options.signal,
        onProgress: options.onProgress,
      });
      result = found;
      const fairness = l.fairness ?? "none";
      liveness = {
        kind: l.kind,
        formula: l.formula,
        fairness,
        lasso: found.lasso,
        stats: found.stats,
      };
    } else {
      // A reduction that meets an execution repeating its state starts over statefully, when
      // states can be compared and --no-visited did not forbid it (lib/explore/explore.ts).
      const fallback = restore === "memory" && options.visited !== false;
      result = watch.apply(await explore(explored, reduction, { ...options, visited, fallback }));
    }
    state = memory?.stateStats() ?? null;
  } finally {
    await target.close();
  }
  const failed = result.violation !== null || (liveness?.lasso ?? null) !== null;
  return {
    ...result,
    names: { ...target.names, symbol: readSymbols(spec.path) },
    sources: readSources(spec.path),
    restore,
    state,
    // The search stops at the violation: the files hold the failing execution's output.
    stderr: failed ? output.stderrTail() : null,
    liveness,
  };
}
