/**
 * `isomc check`'s command line: its options parsed, checked against each other (an option that
 * would be silently ignored in the combination given is a usage error), and turned into what
 * the check needs — for a liveness check, the automaton of its property, built before the
 * program runs so that a bad formula or claim is refused first.
 *
 * The LTL parser and translator (lib/cli/liveness_options.ts) and the parallel options
 * (lib/parallel/options.ts) are imported only when their options are given, which is why the
 * parsing is asynchronous: a plain check does not load them (start-up, bench/README.md "What a
 * small check costs", "Cut, part 2").
 */

import {
  defaultReduction,
  defaultRestore,
  defaultTimeoutMs,
  type LivenessCheck,
  livenessRefusal,
  type MemoryMode,
  memoryModes,
  type RaceMode,
  raceModes,
  type Reduction,
  reductions,
  type Restore,
  restores,
  usesVisited,
} from "../check.ts";
import { UsageError } from "../errors.ts";
import type { Fairness } from "../liveness/search.ts";
import { parse, positiveInteger, positiveSeconds, stringOption } from "./args.ts";
import type { Address } from "../parallel/wire.ts";
import type { ParallelOptions } from "../parallel/options.ts";

/** What the reports call the property of --non-progress. */
export const nonProgressFormula = "G F @progress";

export interface CheckRequest {
  readonly program: string;
  readonly programArgs: readonly string[];
  readonly reduction: Reduction;
  readonly restore: Restore;
  readonly memory: MemoryMode;
  readonly races: RaceMode;
  /** As asked (undefined: the default for the restore and reduction). */
  readonly visited: boolean | undefined;
  /** Whether the search prunes visited states, as asked or by default. */
  readonly prunesVisited: boolean;
  readonly exactCompare: boolean;
  readonly pinCpu: boolean;
  readonly everyEnd: boolean;
  readonly snapshotSpacing: number | undefined;
  readonly maxCheckpoints: number | undefined;
  readonly maxDepth: number | undefined;
  readonly maxExecutions: number | undefined;
  readonly timeoutMs: number;
  readonly json: boolean;
  /** --trace-out as given, or null for the default (named after the program). */
  readonly traceOut: string | null;
  readonly showOutput: boolean;
  /** --jobs=N: local worker processes (lib/parallel/). */
  readonly jobs: number | undefined;
  /** --coordinator=HOST:PORT: workers connect there. */
  readonly coordinator: Address | undefined;
  readonly expectWorkers: number | undefined;
  /** --ltl, --never or --non-progress: the liveness property to check, or null. */
  readonly liveness: LivenessCheck | null;
  /** --svg, --html: where to draw the counterexample, if anywhere. */
  readonly svg: string | null;
  readonly html: string | null;
  /** --dot: where to write the explored state graph (needs --visited). */
  readonly dot: string | null;
  /** --nondet-range=LO..HI as given (undefined: the default, docs/svcomp.md). */
  readonly nondetRange: readonly [number, number] | undefined;
  /** --svcomp: abort() is a failed assumption (its thread blocked for ever). */
  readonly svcomp: boolean;
  /** --preload: a binary built elsewhere, the runtime preloaded (synchronisation only). */
  readonly preload: boolean;
  /** --join-on-exit: main's return waits for the threads still running (docs/pthreads.md). */
  readonly joinOnExit: boolean;
}

/** The most values --nondet-range may give a choice: each is explored. */
export const maxNondetValues = 65536;

/** --nondet-range=LO..HI: two integers, LO <= HI, at most maxNondetValues values. */
export function nondetRangeOption(
  value: string | boolean | undefined,
): [number, number] | undefined {
  const text = stringOption(value);
  if (text === undefined) return undefined;
  const m = /^(-?\d+)\.\.(-?\d+)$/.exec(text);
  const bad =
    `--nondet-range must be LO..HI, two integers with LO <= HI (e.g. --nondet-range=-2..2), not '${text}'`;
  if (m === null) throw new UsageError(bad);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo > hi) throw new UsageError(bad);
  if (hi - lo + 1 > maxNondetValues) {
    throw new UsageError(
      `--nondet-range=${text} gives ${
        hi - lo + 1
      } values to every wide __VERIFIER_nondet_*; at most ${maxNondetValues}`,
    );
  }
  return [lo, hi];
}

export async function parseCheckArgs(args: readonly string[]): Promise<CheckRequest | "help"> {
  const { values, positionals } = parse("check", args, {
    reduction: { type: "string" },
    restore: { type: "string" },
    memory: { type: "string" },
    races: { type: "string" },
    visited: { type: "boolean" },
    "no-visited": { type: "boolean" },
    "exact-compare": { type: "boolean" },
    "no-pin": { type: "boolean" },
    "every-end": { type: "boolean" },
    "snapshot-spacing": { type: "string" },
    "max-checkpoints": { type: "string" },
    "max-depth": { type: "string" },
    "max-executions": { type: "string" },
    timeout: { type: "string" },
    json: { type: "boolean" },
    "trace-out": { type: "string" },
    "show-output": { type: "boolean" },
    jobs: { type: "string" },
    coordinator: { type: "string" },
    "expect-workers": { type: "string" },
    ltl: { type: "string" },
    never: { type: "string" },
    "non-progress": { type: "boolean" },
    fairness: { type: "string" },
    "no-deadlock": { type: "boolean" },
    svg: { type: "string" },
    html: { type: "string" },
    dot: { type: "string" },
    "nondet-range": { type: "string" },
    svcomp: { type: "boolean" },
    preload: { type: "boolean" },
    "join-on-exit": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return "help";
  const [program, ...programArgs] = positionals;
  if (program === undefined) throw new UsageError("check: no program given (isomc check -- ./app)");
  const liveness = await livenessOf(values);
  if (liveness !== null) refuseWithLiveness(values);
  const reduction = stringOption(values.reduction) ?? (liveness ? "none" : defaultReduction);
  if (!(reductions as readonly string[]).includes(reduction)) {
    throw new UsageError(
      `--reduction must be one of: ${reductions.join(", ")} (not '${reduction}')`,
    );
  }
  const preload = values.preload === true;
  // A binary built elsewhere has no memory instrumentation: only its synchronisation is seen.
  const memory = stringOption(values.memory) ?? (preload ? "sync" : "all");
  if (!(memoryModes as readonly string[]).includes(memory)) {
    throw new UsageError(`--memory must be one of: ${memoryModes.join(", ")} (not '${memory}')`);
  }
  if (preload && memory === "all") {
    throw new UsageError(
      "--memory=all needs the memory instrumentation of `isomc cc`: with --preload only synchronisation is seen",
    );
  }
  const races = stringOption(values.races) ?? "report";
  if (!(raceModes as readonly string[]).includes(races)) {
    throw new UsageError(`--races must be one of: ${raceModes.join(", ")} (not '${races}')`);
  }
  const restore = stringOption(values.restore) ?? defaultRestore;
  if (!(restores as readonly string[]).includes(restore)) {
    throw new UsageError(`--restore must be one of: ${restores.join(", ")} (not '${restore}')`);
  }
  if (values.visited && values["no-visited"]) {
    throw new UsageError("--visited and --no-visited contradict each other");
  }
  const visited = values.visited ? true : values["no-visited"] ? false : undefined;
  const parallel = await parallelOf(
    positiveInteger("jobs", values.jobs),
    stringOption(values.coordinator),
    positiveInteger("expect-workers", values["expect-workers"]),
  );
  const inParallel = parallel.jobs !== undefined || parallel.coordinator !== undefined;
  // A parallel check prunes visited states only when asked (docs/parallel.md): each new
  // state costs a claim at the coordinator.
  const prunesVisited = inParallel
    ? visited === true
    : usesVisited(restore as Restore, reduction as Reduction, visited);
  const snapshotSpacing = positiveInteger("snapshot-spacing", values["snapshot-spacing"]);
  const maxCheckpoints = positiveInteger("max-checkpoints", values["max-checkpoints"]);
  const everyEnd = values["every-end"] === true;
  refuseIgnored(restore as Restore, prunesVisited, {
    snapshotSpacing: snapshotSpacing !== undefined,
    maxCheckpoints: maxCheckpoints !== undefined,
    everyEnd,
  });
  const timeout = positiveSeconds("timeout", values.timeout);
  const traceOut = fileOption("trace-out", values["trace-out"]);
  const dot = fileOption("dot", values.dot);
  if (dot !== null && !prunesVisited) {
    throw new UsageError(
      "--dot draws the states --visited tells apart: it needs --visited (--restore=memory or fork, --reduction=none)",
    );
  }
  return {
    program,
    programArgs,
    reduction: reduction as Reduction,
    restore: restore as Restore,
    memory: memory as MemoryMode,
    races: races as RaceMode,
    visited,
    prunesVisited,
    exactCompare: values["exact-compare"] === true,
    pinCpu: values["no-pin"] !== true,
    everyEnd,
    snapshotSpacing,
    maxCheckpoints,
    maxDepth: positiveInteger("max-depth", values["max-depth"]),
    maxExecutions: positiveInteger("max-executions", values["max-executions"]),
    timeoutMs: timeout === undefined ? defaultTimeoutMs : Math.round(timeout * 1000),
    json: values.json === true,
    traceOut,
    showOutput: values["show-output"] === true,
    ...parallel,
    liveness,
    svg: fileOption("svg", values.svg),
    html: fileOption("html", values.html),
    dot,
    nondetRange: nondetRangeOption(values["nondet-range"]),
    svcomp: values.svcomp === true,
    preload,
    joinOnExit: values["join-on-exit"] === true,
  };
}

type Values = Record<string, string | boolean | undefined>;

/**
 * The liveness check the options ask for (one of --ltl, --never, --non-progress, with
 * --fairness and --no-deadlock), its automaton built now: a formula or claim that does not
 * parse is refused before the program runs.
 */
async function livenessOf(values: Values): Promise<LivenessCheck | null> {
  const given = ["ltl", "never", "non-progress"].filter((o) => values[o] !== undefined);
  if (given.length > 1) {
    throw new UsageError(
      `check one property at a time: ${given.map((o) => `--${o}`).join(" and ")} were both given`,
    );
  }
  const fairnessText = stringOption(values.fairness);
  if (given.length === 0) {
    const stray = fairnessText !== undefined
      ? "--fairness"
      : values["no-deadlock"]
      ? "--no-deadlock"
      : null;
    if (stray !== null) {
      throw new UsageError(
        `${stray} is for liveness checks: give --ltl=FORMULA, --never=FILE or --non-progress with it`,
      );
    }
    return null;
  }
  if (fairnessText !== undefined && fairnessText !== "none" && fairnessText !== "weak") {
    throw new UsageError(`--fairness must be one of: none, weak (not '${fairnessText}')`);
  }
  const common = {
    fairness: (fairnessText ?? "none") as Fairness,
    deadlockIsFinite: values["no-deadlock"] === true,
  };
  // Loaded here: a safety check does not pay for the LTL parser and translator.
  const { propertyAutomaton } = await import("./liveness_options.ts");
  const ltl = stringOption(values.ltl);
  if (ltl !== undefined) {
    return { kind: "liveness", automaton: propertyAutomaton({ ltl }), formula: ltl, ...common };
  }
  const never = stringOption(values.never);
  if (never !== undefined) {
    const automaton = propertyAutomaton({ never });
    return { kind: "liveness", automaton, formula: `never claim ${never}`, ...common };
  }
  return {
    kind: "non-progress",
    automaton: propertyAutomaton({ nonProgress: true }),
    formula: nonProgressFormula,
    ...common,
  };
}

/**
 * --jobs, --coordinator and --expect-workers checked against each other; the parallel
 * options' module (and its address parser) is loaded only when one of them is given.
 */
async function parallelOf(
  jobs: number | undefined,
  coordinator: string | undefined,
  expectWorkers: number | undefined,
): Promise<ParallelOptions> {
  if (jobs === undefined && coordinator === undefined && expectWorkers === undefined) {
    return { jobs, coordinator: undefined, expectWorkers };
  }
  const { parallelOptions } = await import("../parallel/options.ts");
  return parallelOptions(jobs, coordinator, expectWorkers);
}

/** The options a liveness check cannot honour, refused before the program runs. */
function refuseWithLiveness(values: Values): void {
  const what = values["non-progress"]
    ? "--non-progress"
    : values.ltl !== undefined
    ? "--ltl"
    : "--never";
  const problem = livenessRefusal(what, {
    reduction: stringOption(values.reduction),
    restore: stringOption(values.restore),
    noVisited: values["no-visited"] === true,
    exactCompare: values["exact-compare"] === true,
    maxExecutions: values["max-executions"] !== undefined,
    dot: values.dot !== undefined,
  });
  if (problem !== null) throw new UsageError(problem);
}

/** An option naming a file: null when absent, refused when empty. */
function fileOption(name: string, value: string | boolean | undefined): string | null {
  const path = stringOption(value) ?? null;
  if (path === "") throw new UsageError(`--${name} needs a file name`);
  return path;
}

/** Options that only one restore strategy reads would be ignored by the others: refuse them. */
function refuseIgnored(
  restore: Restore,
  prunesVisited: boolean,
  given: { snapshotSpacing: boolean; maxCheckpoints: boolean; everyEnd: boolean },
): void {
  if (given.maxCheckpoints && restore !== "fork") {
    throw new UsageError(
      `--max-checkpoints bounds the frozen processes of --restore=fork; it does nothing with --restore=${restore}`,
    );
  }
  if (given.everyEnd && restore !== "memory" && !(restore === "fork" && prunesVisited)) {
    throw new UsageError(
      `--every-end is for --restore=memory, or fork with --visited (the others run main's end after every execution); not with --restore=${restore}${
        restore === "fork" ? " without --visited" : ""
      }`,
    );
  }
  if (given.snapshotSpacing && (restore !== "memory" || prunesVisited)) {
    throw new UsageError(
      `--snapshot-spacing is for --restore=memory without --visited (${
        restore !== "memory" ? `not --restore=${restore}` : "--visited snapshots every state"
      })`,
    );
  }
}
