/**
 * What a check refuses before anything runs: --preload's options and binaries it cannot check,
 * and what a liveness search cannot honour (one definition for the library and the CLI).
 */

import type { CheckOptions, Reduction, Restore } from "./options.ts";
import { InputError, UsageError } from "../errors.ts";
import { preloadProblem } from "../build/preload_check.ts";
import type { ProgramSpec } from "../process/spec.ts";

/**
 * --preload's refusals, before anything runs: the options it cannot honour, and a binary it
 * cannot check (static, without pthreads, built by `isomc cc` or with the thread sanitizer, with
 * pthread functions of its own: lib/build/preload_check.ts).
 */
export function refuseForPreload(spec: ProgramSpec, options: CheckOptions): void {
  if (options.memory === "all") {
    throw new UsageError(
      "--memory=all needs the memory instrumentation of `isomc cc`: with --preload only synchronisation is seen",
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(spec.path);
  } catch (e) {
    throw new InputError(`cannot read ${spec.argv0}: ${(e as Error).message}`);
  }
  const problem = preloadProblem(spec.argv0, bytes);
  if (problem !== null) throw new InputError(problem);
}

/** What a liveness search is given that it cannot honour (as the user wrote it, or not given). */
export interface LivenessGiven {
  readonly reduction?: string;
  readonly restore?: string;
  readonly noVisited: boolean;
  readonly exactCompare: boolean;
  readonly maxExecutions: boolean;
  readonly dot: boolean;
}

/**
 * Why a liveness search (`what`: the option that asked for it) cannot honour `given`, or null.
 * It explores every interleaving (no reduction), finds cycles as states seen again (memory
 * restores, visited states, their hashes), and counts states, not executions. One definition
 * for the library and the command line (lib/cli/check_options.ts).
 */
export function livenessRefusal(what: string, given: LivenessGiven): string | null {
  if (given.reduction !== undefined && given.reduction !== "none") {
    return `${what} needs --reduction=none (partial-order reduction is not combined with liveness: it could hide the cycles), not --reduction=${given.reduction}`;
  }
  if (given.restore !== undefined && given.restore !== "memory") {
    return `${what} needs --restore=memory (a cycle is a state seen again, recognised by its memory), not --restore=${given.restore}`;
  }
  if (given.noVisited) {
    return `${what} needs visited states (a cycle is a state seen again): not --no-visited`;
  }
  if (given.exactCompare) {
    return `${what} tells states apart by their 64-bit hashes: not with --exact-compare`;
  }
  if (given.maxExecutions) {
    return `${what} searches states, not executions: --max-executions does not apply (use --max-depth)`;
  }
  if (given.dot) {
    return `${what} searches pairs of a program state and an automaton state: --dot draws a safety search's states, not with it`;
  }
  return null;
}

export function refuseForLiveness(
  options: CheckOptions,
  reduction: Reduction,
  restore: Restore,
): void {
  const what = options.liveness?.kind === "non-progress" ? "--non-progress" : "a liveness check";
  const problem = livenessRefusal(what, {
    reduction,
    restore,
    noVisited: options.visited === false,
    exactCompare: options.exactCompare === true,
    maxExecutions: options.maxExecutions !== undefined,
    dot: options.graph !== undefined,
  });
  if (problem !== null) throw new UsageError(problem);
}
