/**
 * Checking a program, as a library call: resolve it, build the target for the chosen restore
 * strategy, run the chosen exploration — a safety search, or the liveness search of an LTL
 * formula, a never claim or non-progress cycles — and always release the processes. The CLI's
 * `check` and `demo` and the tests all go through here.
 */

import { explore } from "./explore/explore.ts";
import type { ExplorationResult, Stats } from "./explore/result.ts";
import type { NameTable } from "./model/transition.ts";
import { ReplayTarget } from "./process/replay_target.ts";
import { resolveProgram } from "./process/resolve.ts";
import { MemoryTarget, type StateStats } from "./state/memory_target.ts";
import { ForkTarget } from "./state/fork_target.ts";
import type { Target } from "./explore/target.ts";
import { type RaceContext, RaceWatch } from "./explore/race_watch.ts";
import { InputError, UsageError } from "./errors.ts";
import { preloadProblem } from "./build/preload_check.ts";
import { preloadEnv } from "./process/environment.ts";
import { readSymbols } from "./report/symbols.ts";
import { readSources, type SourceResolver } from "./report/source.ts";
import { ProgramOutput } from "./process/output.ts";
import type { ProgramSpec } from "./process/spec.ts";
import type { Automaton } from "./ltl/automaton.ts";
import { type Fairness, type LivenessStats, searchLiveness } from "./liveness/search.ts";
import type { Lasso } from "./liveness/lasso.ts";
import type { LassoKind } from "./liveness/report.ts";
import type { StateGraph } from "./report/state_graph.ts";
import { drive, type ParallelReport } from "./parallel/drive.ts";
import { referenceStart } from "./parallel/reference.ts";
import type { StartWords } from "./state/alike.ts";
import type { Address } from "./parallel/wire.ts";
import { ENV_JOIN_ON_EXIT, ENV_NONDET_RANGE, ENV_SVCOMP } from "./process/protocol.ts";
import { OutcomeWatch } from "./explore/outcome_watch.ts";

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

/**
 * --preload's refusals, before anything runs: the options it cannot honour, and a binary it
 * cannot check (static, without pthreads, built by `isomc cc` or with the thread sanitizer, with
 * pthread functions of its own: lib/build/preload_check.ts).
 */
function refuseForPreload(spec: ProgramSpec, options: CheckOptions): void {
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
    // The coordinator keeps the hashes of the states claimed, not the states.
    throw new UsageError("--exact-compare is not available with --jobs or --coordinator");
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
  if (parallel) return await checkParallel(spec, { ...options, env }, restore, reduction, visited);
  // The program's output is captured (stdout only to show it), and rewound with each restore.
  const output = new ProgramOutput(options.showOutput ?? false);
  try {
    const result = await checkWith(spec, output, options, restore, reduction, visited);
    return options.preload === true ? { ...result, preload: true } : result;
  } finally {
    output.close();
  }
}

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

function refuseForLiveness(options: CheckOptions, reduction: Reduction, restore: Restore): void {
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
/**
 * A parallel check (docs/parallel.md): the coordinator here, the workers local (--jobs) or
 * connecting (--coordinator); the same verdict and counts as the sequential search.
 */
async function checkParallel(
  spec: ProgramSpec,
  options: CheckOptions,
  restore: Restore,
  reduction: Reduction,
  visited: boolean,
): Promise<CheckResult> {
  if (options.nondetRange !== undefined || options.svcomp === true) {
    throw new UsageError(
      "--nondet-range and --svcomp are not available with --jobs or --coordinator yet (docs/svcomp.md)",
    );
  }
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
  return {
    ...run.result,
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
