/**
 * A parallel check (docs/parallel.md): the coordinator here, the workers local or connecting.
 */

import {
  type CheckOptions,
  type CheckResult,
  defaultTimeoutMs,
  type Reduction,
  type Restore,
} from "./options.ts";
import { openTarget } from "./targets.ts";
import { OutcomeWatch } from "../explore/outcome_watch.ts";
import { readSymbols } from "../report/symbols.ts";
import { readSources } from "../report/source.ts";
import type { ProgramSpec } from "../process/spec.ts";
import { drive } from "../parallel/drive.ts";
import { referenceStart } from "../parallel/reference.ts";

/**
 * A parallel check (docs/parallel.md): the coordinator here, the workers local (--jobs) or
 * connecting (--coordinator); the same verdict and counts as the sequential search.
 */
export async function checkParallel(
  spec: ProgramSpec,
  options: CheckOptions,
  restore: Restore,
  reduction: Reduction,
  visited: boolean,
): Promise<CheckResult> {
  // Every copy of the program starts as a reference copy does (lib/state/alike.ts), checked
  // by the initial state's key in each: equal states then have equal keys in every worker.
  const start = visited
    ? await referenceStart((output) => openTarget(spec, output, options, restore, true))
    : undefined;
  const run = await drive({
    reduction,
    start,
    // With --preload too: the workers run the program with the runtime preloaded (the path is
    // this machine's: workers elsewhere need the same checkout at the same place).
    programEnv: visited || options.preload === true ? spec.env : undefined,
    setup: {
      restore,
      races: options.races ?? "report",
      memory: options.memory ?? (options.preload === true ? "sync" : "all"),
      ...(options.joinOnExit === true ? { joinOnExit: true } : {}),
      // The SV-COMP options reach each worker's program as the sequential check's: by its
      // environment (programEnv).
      ...(options.nondetRange !== undefined ? { nondetRange: options.nondetRange } : {}),
      ...(options.svcomp === true ? { svcomp: true } : {}),
      timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
      pinCpu: options.pinCpu ?? true,
      snapshotSpacing: options.snapshotSpacing,
      maxCheckpoints: options.maxCheckpoints,
      everyEnd: options.everyEnd,
    },
    maxDepth: options.maxDepth,
    maxExecutions: options.maxExecutions,
    showOutput: options.showOutput === "stderr" ? "stderr" : options.showOutput ? true : undefined,
    visited,
    jobs: options.jobs,
    listen: options.coordinator,
    expectWorkers: options.expectWorkers,
    // A path as the user gave it (local workers share the coordinator's directory), so that a
    // worker's messages name the program as a sequential check does; a name found in PATH
    // goes by its full path (the workers' PATH may not be the one the check was given).
    program: [spec.argv0.includes("/") ? spec.argv0 : spec.path, ...spec.args],
    signal: options.signal,
    onProgress: options.onProgress,
  });
  // The workers counted the executions their assumptions cut (in the parts' stats); what is
  // left of the SV-COMP conventions is the sequential one: ok after the range is incomplete.
  const seen = new OutcomeWatch();
  seen.nondetRange = run.nondetRange;
  return {
    ...seen.apply(run.result),
    names: { actors: run.actors, objects: run.objects, symbol: readSymbols(spec.path) },
    sources: readSources(spec.path),
    restore,
    state: null,
    stderr: run.result.violation === null ? null : "",
    liveness: null,
    parallel: run.parallel,
    ...(options.preload === true ? { preload: true as const } : {}),
  };
}
