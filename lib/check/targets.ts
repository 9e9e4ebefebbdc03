/**
 * The target a check explores, for its restore strategy (replay, memory, fork), and the race
 * watch over it: the sequential check's and each parallel worker's.
 */

import { type CheckOptions, defaultTimeoutMs, type Restore } from "./options.ts";
import { ReplayTarget } from "../process/replay_target.ts";
import { MemoryTarget } from "../state/memory_target.ts";
import { ForkTarget } from "../state/fork_target.ts";
import type { Target } from "../explore/target.ts";
import { type RaceContext, RaceWatch } from "../explore/race_watch.ts";
import { readSymbols } from "../report/symbols.ts";
import { readSources } from "../report/source.ts";
import { ProgramOutput } from "../process/output.ts";
import type { ProgramSpec } from "../process/spec.ts";
import type { StartWords } from "../state/alike.ts";

/**
 * The target for a restore strategy (a parallel worker opens its own the same way,
 * lib/parallel/worker_command.ts); `memory` is the same target when it snapshots memory.
 */
export function openTarget(
  spec: ProgramSpec,
  output: ProgramOutput,
  options: CheckOptions,
  restore: Restore,
  visited: boolean,
  startAlike: StartWords | null = null,
): OpenedTarget {
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
  const stateful = memory ?? fork;
  if (stateful !== null) stateful.startAlike = startAlike;
  const target: Target = stateful ?? new ReplayTarget(spec, run);
  return { target, memory, stateful };
}

/**
 * The target with data races as violations (--races=report): the sequential search's, and each
 * parallel worker's (lib/parallel/worker_command.ts). The program's tables are read when the
 * first race is found.
 */
export function watchRaces(target: Target, spec: ProgramSpec): Target {
  let raceContext: RaceContext | undefined;
  const context = (): RaceContext =>
    raceContext ??= { sources: readSources(spec.path), symbol: readSymbols(spec.path) };
  return new RaceWatch(target, context);
}

/** A target for a restore strategy, and the stateful one it is (memory or fork), if any. */
export interface OpenedTarget {
  readonly target: Target;
  readonly memory: MemoryTarget | null;
  readonly stateful: MemoryTarget | ForkTarget | null;
}
