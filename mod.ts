/**
 * isomc as a library: check a program (safety, or a liveness property), replay a
 * counterexample, compile against the runtime, run an exploration algorithm over your own
 * Target (the interface every algorithm uses), or draw a counterexample (chart, page, state
 * graph).
 */

export {
  check,
  type CheckOptions,
  type CheckResult,
  defaultReduction,
  defaultRestore,
  defaultTimeoutMs,
  type LivenessCheck,
  type LivenessOutcome,
  type Reduction,
  reductions,
  type Restore,
  restores,
} from "./lib/check.ts";
export { replay, type ReplayOptions, type ReplayResult } from "./lib/replay.ts";
export { cc, ccCommand, compile } from "./lib/build/cc.ts";
export { exploreDfs } from "./lib/explore/dfs.ts";
export { exploreDpor } from "./lib/explore/dpor/explorer.ts";
export { MemoryTarget, type StateStats } from "./lib/state/memory_target.ts";
export { ForkTarget } from "./lib/state/fork_target.ts";
export type {
  ExplorationResult,
  ExploreOptions,
  FoundViolation,
  Stats,
  TraceStep,
  Verdict,
} from "./lib/explore/result.ts";
export type {
  Outcome,
  Target,
  TargetCounters,
  Violation,
  ViolationKind,
} from "./lib/explore/target.ts";
export {
  describeTransition,
  enabledSteps,
  Kind,
  type NameTable,
  type Point,
  type Step,
  type Transition,
} from "./lib/model/transition.ts";
export { buildTrace, readTrace, type TraceFile, writeTrace } from "./lib/report/trace.ts";
export { buildLassoTrace } from "./lib/report/liveness.ts";
export { parseLtl } from "./lib/ltl/parser.ts";
export { translateNegation } from "./lib/ltl/translate.ts";
export { parseNever } from "./lib/ltl/never.ts";
export { nonProgressAutomaton } from "./lib/liveness/progress.ts";
export {
  type Fairness,
  type LivenessOptions,
  type LivenessResult,
  searchLiveness,
} from "./lib/liveness/search.ts";
export type { Lasso, LassoStep } from "./lib/liveness/lasso.ts";
export { chartSvg } from "./lib/report/chart_svg.ts";
export { fileLines, htmlPage } from "./lib/report/html_page.ts";
export { readSources, type SourceLocation, type SourceResolver } from "./lib/report/source.ts";
export { StateGraph } from "./lib/report/state_graph.ts";
export { graphDot } from "./lib/report/dot.ts";
export { ExitCode, InputError, InternalError } from "./lib/errors.ts";
